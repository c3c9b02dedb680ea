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
 *    handled, written in the same transaction as its read-model rows (pbx_advance_checkpoint).
 */
const OWN_SCHEMA = `
CREATE INDEX IF NOT EXISTS pbx_emt_messages_commit_order ON emt_messages (transaction_id, global_position);
CREATE TABLE IF NOT EXISTS ${CHECKPOINTS_TABLE} (
  consumer_name   text        PRIMARY KEY,
  transaction_id  xid8        NOT NULL DEFAULT '0',
  global_position bigint      NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
-- Moves a checkpoint from where its consumer last left it; anything else (a reset behind the
-- consumer's back) aborts the consumer's transaction, read-model rows included.
CREATE OR REPLACE FUNCTION pbx_advance_checkpoint(p_name text, p_from_xid xid8, p_from_pos bigint, p_to_xid xid8, p_to_pos bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ${CHECKPOINTS_TABLE} SET transaction_id = p_to_xid, global_position = p_to_pos, updated_at = now()
   WHERE consumer_name = p_name AND transaction_id = p_from_xid AND global_position = p_from_pos;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'checkpoint of consumer % moved under it (expected %/%)', p_name, p_from_xid, p_from_pos USING ERRCODE = 'P0001';
  END IF;
END $$;`;

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
