import { compareConsumerPositions, ConsumerPosition, readConsumerCheckpoint, readStoreHead, resetConsumer, START_OF_LOG, startConsumer } from '@pbx/event-store';
import { purgeHistoryBefore, retentionCutoff } from '@pbx/read-models';
import { Client } from 'pg';
import pino from 'pino';
import { HISTORY_CONSUMER, HISTORY_EVENT_TYPES, projectHistoryBatch, RejectedEvent } from './history.projection';

/** The tables the history consumer owns: emptied together with its checkpoint. */
export const HISTORY_TABLES = ['call_log', 'call_log_state', 'channel_usage'] as const;

export interface RebuildOptions {
  connectionString: string;
  batchSize?: number;
  /** Retention applied once the replay has caught up (SPEC K-5), as the live service would. */
  retentionDays: number;
  now?: () => number;
  /** Called about every `progressEveryMs` and once at the end. */
  progress?: (p: RebuildProgress) => void;
  progressEveryMs?: number;
  onRejected?: (r: RejectedEvent) => void;
}

export interface RebuildProgress {
  /** Events of the log handled since the reset (of every type: the checkpoint moves past all). */
  readonly handled: number;
  /** Events in the log when the reset committed. */
  readonly total: number;
  readonly elapsedMs: number;
  readonly done: boolean;
}

export interface RebuildResult {
  readonly events: number;
  readonly elapsedMs: number;
  readonly callLogRows: number;
  readonly channelUsageRows: number;
  readonly purged: number;
}

/**
 * `tools/stack rebuild-projections` (SPEC H-3): empties the history read models and resets the
 * checkpoint in one transaction, then replays the whole log into them.
 *
 * Whoever holds the consumer's lock replays: this function's own consumer when no
 * history-projector runs, else the running service (its next batch finds the checkpoint reset,
 * rolls back and starts over from the beginning) while this consumer waits for the lock. Either
 * way this returns once the checkpoint has reached the head of the log as it was at the reset.
 */
export async function rebuildHistory(o: RebuildOptions): Promise<RebuildResult> {
  const now = o.now ?? Date.now;
  const started = now();
  const db = new Client({ connectionString: o.connectionString, application_name: 'pbx-rebuild-projections' });
  await db.connect();
  const consumer = { current: undefined as ReturnType<typeof startConsumer> | undefined };
  try {
    await db.query('BEGIN');
    await db.query(`TRUNCATE ${HISTORY_TABLES.join(', ')}`);
    await resetConsumer(db, HISTORY_CONSUMER);
    await db.query('COMMIT');
    await restartHistoryConsumers(db);
    // Planner statistics for the log: right after a bulk import, before autovacuum has analyzed
    // it, the consumer's batch read plans badly and the replay runs several times slower
    // (docs/benchmarks.md "History projector"). A sampled ANALYZE takes a second at most.
    await db.query('ANALYZE emt_messages');
    const target = await readStoreHead(db);
    const total = await countUpTo(db, target);

    consumer.current = startConsumer({
      name: HISTORY_CONSUMER,
      connectionString: o.connectionString,
      batchSize: o.batchSize ?? 1_000,
      eventTypes: HISTORY_EVENT_TYPES,
      logger: quietLogger,
      handle: async (events, tx) => {
        await projectHistoryBatch(events, tx, o.onRejected);
      },
    });

    const every = o.progressEveryMs ?? 1_000;
    let last = 0;
    for (;;) {
      const position = (await readConsumerCheckpoint(db, HISTORY_CONSUMER)) ?? START_OF_LOG;
      const caught = compareConsumerPositions(position, target) >= 0;
      if (caught || now() - last >= every) {
        const handled = caught ? total : Math.min(total, await countUpTo(db, position));
        o.progress?.({ handled, total, elapsedMs: now() - started, done: caught });
        last = now();
      }
      if (caught) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await consumer.current.stop();
    consumer.current = undefined;

    const purged = await purgeHistoryBefore(db, retentionCutoff(new Date(now()), o.retentionDays));
    const counts = await db.query<{ l: number; u: number }>(`SELECT (SELECT count(*)::int FROM call_log) AS l, (SELECT count(*)::int FROM channel_usage) AS u`);
    return { events: total, elapsedMs: now() - started, callLogRows: counts.rows[0]?.l ?? 0, channelUsageRows: counts.rows[0]?.u ?? 0, purged: purged.callLog };
  } finally {
    await consumer.current?.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
  }
}

/**
 * A running consumer notices a reset checkpoint only when it next commits a batch, which needs a
 * new event; on a quiet system it would sit on the lock forever. Ending its session makes it
 * reconnect, retake the lock and load the (reset) checkpoint: the consumer's normal recovery
 * from a lost connection (docs/event-store.md). Its batch in flight, if any, rolls back.
 */
export async function restartHistoryConsumers(db: Client): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid() AND datname = current_database()`,
    [`pbx-consumer:${HISTORY_CONSUMER}`.slice(0, 63)],
  );
  return r.rows[0]?.n ?? 0;
}

/** Committed events at or before a position (the replay's total). */
async function countUpTo(db: Client, p: ConsumerPosition): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM emt_messages WHERE is_archived = FALSE AND (transaction_id, global_position) <= ($1::xid8, $2::bigint)`, [
    p.transactionId,
    p.globalPosition.toString(),
  ]);
  return r.rows[0]?.n ?? 0;
}

// The replay's own consumer logs warnings and failures only (the rebuild prints its progress).
const quietLogger = pino({ name: 'rebuild-projections', level: process.env.LOG_LEVEL === 'silent' ? 'silent' : 'warn' });
