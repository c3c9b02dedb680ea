import { DomainError } from '@pbx/domain-kernel';
import { RegisterSearchJob, SearchJobCommand, SearchJobEvent, SearchJobState, searchJobDecider } from '@pbx/domain-async-search';
import { EventStore, handleCommand, RecordedEvent, streamName } from '@pbx/event-store';
import { ASYNC_SEARCH_ERRORS, ASYNC_SEARCH_LIMIT_PER_ACCOUNT } from '@pbx/contracts';
import type { Pool } from 'pg';
import { JobReadModel, upsertJob } from './job.read-model';

export const SEARCH_JOB_CATEGORY = 'search-job';
export const jobStream = (jobId: string): string => streamName(SEARCH_JOB_CATEGORY, jobId);

export interface JobOutcome {
  readonly events: RecordedEvent<SearchJobEvent>[];
  readonly state: SearchJobState;
  readonly version: bigint;
}

/**
 * The job aggregate's one door for writes: load the stream → decide → append at the version
 * read (ARCHITECTURE.md "Events"), then bring the read model's row to the new version.
 * The read model is also fed by the projection consumer, so a crash between the append and the
 * row update is repaired within a poll (docs/async-search.md "Read model").
 */
export class JobRepository {
  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    readonly readModel: JobReadModel,
  ) {}

  async execute(jobId: string, command: SearchJobCommand, correlationId: string): Promise<JobOutcome> {
    const r = await handleCommand(this.store, jobStream(jobId), searchJobDecider, command, { metadata: { correlationId } });
    if (r.newEvents.length > 0) await upsertJob(this.pool, r.state, r.version);
    return { events: r.newEvents, state: r.state, version: r.version };
  }

  /**
   * Registers a job unless the account already holds ASYNC_SEARCH_LIMIT_PER_ACCOUNT (SPEC S-4).
   * Registrations of one account are serialised on a transaction-scoped advisory lock: count,
   * append, and insert the row before the lock is let go, so two concurrent registrations can
   * never both see a free tenth slot.
   */
  async register(command: RegisterSearchJob, correlationId: string, limit = ASYNC_SEARCH_LIMIT_PER_ACCOUNT): Promise<JobOutcome> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('pbx:async-search:account:' || $1, 0))`, [command.owner.login]);
      const held = await this.readModel.countHeld(command.owner.login, client);
      if (held >= limit) {
        throw new DomainError(ASYNC_SEARCH_ERRORS.limitReached, `an account keeps at most ${limit} async searches; delete one to register another`, { limit });
      }
      const r = await handleCommand(this.store, jobStream(command.jobId), searchJobDecider, command, { metadata: { correlationId } });
      await upsertJob(client, r.state, r.version);
      await client.query('COMMIT');
      return { events: r.newEvents, state: r.state, version: r.version };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
}

/** Job ids are ours (uuids); anything that could not be one is simply not found (and never reaches a stream name or a file key). */
export function assertJobId(id: string): void {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new DomainError(ASYNC_SEARCH_ERRORS.notFound, 'no such async search for this account');
}
