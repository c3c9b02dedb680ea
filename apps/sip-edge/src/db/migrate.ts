import { Pool } from 'pg';

/**
 * Creates sip-edge's own tables (bindings, calls, instances). Under an advisory lock, because
 * `CREATE … IF NOT EXISTS` from two instances booting at once races on the catalog.
 */
export async function migrateUnderLock(pool: Pool, sql: string): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock(hashtext($1))', ['sip-edge:migrate']);
    await c.query(sql);
  } finally {
    await c.query('SELECT pg_advisory_unlock(hashtext($1))', ['sip-edge:migrate']).catch(() => undefined);
    c.release();
  }
}
