import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client, ClientBase } from 'pg';
import type { Logger } from 'pino';
import { SEARCH_JOB_EVENT_TYPES, SearchJobEvent, searchJobDecider } from '@pbx/domain-async-search';
import { foldEvents } from '@pbx/domain-kernel';
import { ConsumedEvent, Consumer, EventStore, parseStreamName, resetConsumer, startConsumer } from '@pbx/event-store';
import { LOGGER } from '@pbx/service-kit';
import type { Config } from '../config';
import { CONFIG, EVENT_STORE } from '../tokens';
import { readJobRow, upsertJob } from './job.read-model';
import { JOBS_TABLE } from './job.schema';
import { SEARCH_JOB_CATEGORY } from './job.repository';

export const JOBS_PROJECTION = 'async-search-jobs';

/**
 * Applies one stored event to the jobs' read model, idempotently: a row already at or past the
 * event's stream position is left alone (the service wrote it right after its append); the next
 * position is folded on the row's state; a gap (never expected) is filled from the stream.
 */
export async function applyJobEvent(tx: ClientBase, e: ConsumedEvent<SearchJobEvent>, store: EventStore): Promise<void> {
  const { category, id } = parseStreamName(e.streamName);
  if (category !== SEARCH_JOB_CATEGORY) return;
  const row = await readJobRow(tx, id);
  const version = row?.version ?? 0n;
  if (e.streamPosition <= version) return;
  if (e.streamPosition === version + 1n) {
    await upsertJob(tx, searchJobDecider.evolve(row?.job ?? searchJobDecider.initialState(), e), e.streamPosition);
    return;
  }
  const { events, version: head } = await store.readStream<SearchJobEvent>(e.streamName);
  await upsertJob(tx, foldEvents(searchJobDecider, events), head);
}

/**
 * The jobs' read model as a checkpointed projection (ARCHITECTURE.md: the checkpoint commits
 * with the rows). It repairs rows a crashed instance did not write after its append, and
 * rebuilds the table from the log after {@link resetJobsProjection}.
 */
@Injectable()
export class JobsProjection implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: Consumer;
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  private start(): void {
    const log = this.logger.child({ component: 'jobs-projection' });
    this.consumer = startConsumer<SearchJobEvent>({
      name: JOBS_PROJECTION,
      connectionString: this.config.DATABASE_URL,
      eventTypes: SEARCH_JOB_EVENT_TYPES,
      handle: async (events, tx) => {
        for (const e of events) await applyJobEvent(tx, e, this.store);
      },
      logger: log,
    });
  }

  /**
   * Drops the read model and replays the log into it: stop the consumer, empty the table and
   * rewind the checkpoint in one transaction, start again. (A consumer that is not stopped only
   * notices a rewind at its next event.)
   */
  async rebuild(): Promise<void> {
    await this.consumer?.stop();
    const c = new Client({ connectionString: this.config.DATABASE_URL });
    await c.connect();
    try {
      await resetJobsProjection(c);
    } finally {
      await c.end();
      this.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}

/** Rebuild: empty the table and rewind the checkpoint in one transaction on `c`; a running projection replays the log. */
async function resetJobsProjection(c: ClientBase): Promise<void> {
  await c.query('BEGIN');
  try {
    await c.query(`DELETE FROM ${JOBS_TABLE}`);
    await resetConsumer(c, JOBS_PROJECTION);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/**
 * Rebuild from outside the service (src/rebuild.ts): empty the table and rewind the checkpoint,
 * then end the running projection's session so it reconnects and replays from the start (a
 * consumer resumes from its committed checkpoint). With no instance running, the next boot replays.
 */
export async function rebuildJobsReadModel(connectionString: string): Promise<{ restarted: number }> {
  const c = new Client({ connectionString, application_name: 'pbx-async-search-rebuild' });
  await c.connect();
  try {
    await resetJobsProjection(c);
    const r = await c.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid() AND datname = current_database()`,
      [`pbx-consumer:${JOBS_PROJECTION}`.slice(0, 63)],
    );
    return { restarted: r.rows[0]?.n ?? 0 };
  } finally {
    await c.end();
  }
}
