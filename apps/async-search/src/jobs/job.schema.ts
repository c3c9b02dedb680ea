import { Client } from 'pg';

/** The jobs' read model (owned by async-search): one row per job, the decider's state as JSON. */
export const JOBS_TABLE = 'async_search_job';
const MIGRATIONS_TABLE = 'async_search_migrations';

/**
 * Explicit, ordered migrations of async-search's own tables. Each runs once, in one transaction
 * with its bookkeeping row; concurrent runs (two instances booting) serialise on a lock.
 */
const MIGRATIONS: readonly { readonly version: number; readonly name: string; readonly sql: string }[] = [
  {
    version: 1,
    name: 'async_search_job',
    sql: `
CREATE TABLE ${JOBS_TABLE} (
  id           text PRIMARY KEY,
  login        text NOT NULL,
  status       text NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'failed', 'deleted')),
  target       text NOT NULL,
  created_at   timestamptz NOT NULL,
  lease_until  timestamptz,
  notification text NOT NULL CHECK (notification IN ('none', 'pending', 'sent', 'failed')),
  version      bigint NOT NULL,
  state        jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
-- an account's list and its slot count (SPEC S-4); deleted rows are tombstones (docs/async-search.md)
CREATE INDEX async_search_job_login ON ${JOBS_TABLE} (login, created_at DESC) WHERE status <> 'deleted';
-- workers (oldest pending first) and the sweep (lapsed leases)
CREATE INDEX async_search_job_open ON ${JOBS_TABLE} (status, created_at) WHERE status IN ('pending', 'processing');
CREATE INDEX async_search_job_mail ON ${JOBS_TABLE} (created_at) WHERE notification = 'pending';`,
  },
];

export async function migrateAsyncSearch(connectionString: string): Promise<{ applied: number[] }> {
  const c = new Client({ connectionString, application_name: 'pbx-async-search-migrate' });
  await c.connect();
  const applied: number[] = [];
  try {
    await c.query('BEGIN');
    await c.query(`SELECT pg_advisory_xact_lock(hashtextextended('pbx:async-search:migrate', 0))`);
    await c.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await c.query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE}`)).rows.map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await c.query(m.sql);
      await c.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    await c.query('COMMIT');
    return { applied };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await c.end();
  }
}
