import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { createClient, createPool, withPristineGlobalParsers } from './pg-connection';

/** Emmett's tables (emt_*) live in the default partition; our SQL names it explicitly. */
export const EMMETT_PARTITION = 'emt:default';
export const CHECKPOINTS_TABLE = 'pbx_consumer_checkpoints';

/**
 * Additions to Emmett's schema:
 *  - consumers read `emt_messages` in commit order `(transaction_id, global_position)` (see
 *    consumer.ts); Emmett 0.42 has no index for it, so each poll would scan the table;
 *  - one checkpoint row per named consumer: the commit-order position of the last event it
 *    handled, written in the same transaction as its read-model rows.
 */
const OWN_SCHEMA = `
CREATE INDEX IF NOT EXISTS pbx_emt_messages_commit_order ON emt_messages (transaction_id, global_position);
CREATE TABLE IF NOT EXISTS ${CHECKPOINTS_TABLE} (
  consumer_name   text        PRIMARY KEY,
  transaction_id  xid8        NOT NULL DEFAULT '0',
  global_position bigint      NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now()
);`;

// Session advisory lock id shared by every migrating process ("pbx:event-store:migrate").
const MIGRATION_LOCK_SQL = `SELECT pg_advisory_lock(hashtextextended('pbx:event-store:migrate', 0))`;

/**
 * Creates or updates the event store schema (Emmett's tables and functions, then ours).
 * Idempotent, and safe when several processes run it at once: they take turns on an advisory
 * lock. Used by the stack's migrations step; services do not migrate at boot.
 */
export async function migrateEventStore(connectionString: string): Promise<void> {
  const lock = createClient(connectionString, { application_name: 'pbx-event-store-migrate' });
  await lock.connect();
  const pool = createPool(connectionString, { max: 2 });
  try {
    await lock.query(MIGRATION_LOCK_SQL);
    const emmett = withPristineGlobalParsers(() =>
      getPostgreSQLEventStore(connectionString, { schema: { autoMigration: 'None' }, connectionOptions: { pool } }),
    );
    await withPristineGlobalParsers(() => emmett.schema.migrate());
    await lock.query(OWN_SCHEMA);
  } finally {
    await pool.end().catch(() => undefined);
    await lock.end().catch(() => undefined); // also releases the session lock
  }
}
