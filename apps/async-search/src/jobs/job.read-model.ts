import type { Pool } from 'pg';
import { SearchJob, SearchJobState } from '@pbx/domain-async-search';
import { JOBS_TABLE } from './job.schema';

/** Anything with pg's `query` (Pool, PoolClient, Client). */
export interface Sql {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface JobRow {
  readonly job: SearchJob;
  readonly version: bigint;
}

const UPSERT_SQL = `
INSERT INTO ${JOBS_TABLE} (id, login, status, target, created_at, lease_until, notification, version, state, updated_at)
VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7, $8::bigint, $9::jsonb, now())
ON CONFLICT (id) DO UPDATE SET
  login = EXCLUDED.login, status = EXCLUDED.status, target = EXCLUDED.target, created_at = EXCLUDED.created_at,
  lease_until = EXCLUDED.lease_until, notification = EXCLUDED.notification, version = EXCLUDED.version,
  state = EXCLUDED.state, updated_at = now()
WHERE ${JOBS_TABLE}.version < EXCLUDED.version`;

/**
 * The jobs' read model: one row per job holding the decider's state at a stream version.
 * Written from two sides, both through {@link upsertJob}: the service right after each append,
 * and the projection consumer (repair and rebuild). A row only ever moves to a higher version,
 * so whichever side comes second changes nothing (docs/async-search.md "Read model").
 */
export async function upsertJob(db: Sql, job: SearchJobState, version: bigint): Promise<boolean> {
  if (job.status === 'absent') return false;
  const r = await db.query(UPSERT_SQL, [
    job.jobId,
    job.owner.login,
    job.status,
    job.target,
    job.createdAt,
    job.status === 'processing' ? (job.run?.leaseUntil ?? null) : null,
    job.notification,
    version.toString(),
    JSON.stringify(job),
  ]);
  return (r.rowCount ?? 0) > 0;
}

interface StateRow {
  state: SearchJob;
  version: string;
}
const toJobRow = (r: StateRow): JobRow => ({ job: r.state, version: BigInt(r.version) });

export async function readJobRow(db: Sql, id: string): Promise<JobRow | undefined> {
  const r = await db.query<StateRow>(`SELECT state, version::text AS version FROM ${JOBS_TABLE} WHERE id = $1`, [id]);
  return r.rows[0] ? toJobRow(r.rows[0]) : undefined;
}

export class JobReadModel {
  constructor(private readonly pool: Pool) {}

  get(id: string): Promise<JobRow | undefined> {
    return readJobRow(this.pool, id);
  }

  /** The account's jobs, newest first, deleted ones left out. */
  async listByLogin(login: string): Promise<SearchJob[]> {
    const r = await this.pool.query<StateRow>(
      `SELECT state, version::text AS version FROM ${JOBS_TABLE} WHERE login = $1 AND status <> 'deleted' ORDER BY created_at DESC, id DESC`,
      [login],
    );
    return r.rows.map((row) => row.state);
  }

  /** Slots the account uses (SPEC S-4): every job that is not deleted. */
  async countHeld(login: string, db: Sql = this.pool): Promise<number> {
    const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${JOBS_TABLE} WHERE login = $1 AND status <> 'deleted'`, [login]);
    return r.rows[0]?.n ?? 0;
  }

  /** Oldest pending jobs first (fair to accounts that registered earlier). */
  async pendingIds(limit: number): Promise<string[]> {
    const r = await this.pool.query<{ id: string }>(`SELECT id FROM ${JOBS_TABLE} WHERE status = 'pending' ORDER BY created_at, id LIMIT $1`, [limit]);
    return r.rows.map((x) => x.id);
  }

  /** Running jobs whose lease ended before `now` (as far as the read model knows). */
  async lapsedLeaseIds(now: Date, limit = 100): Promise<string[]> {
    const r = await this.pool.query<{ id: string }>(
      `SELECT id FROM ${JOBS_TABLE} WHERE status = 'processing' AND lease_until < $1::timestamptz ORDER BY lease_until LIMIT $2`,
      [now.toISOString(), limit],
    );
    return r.rows.map((x) => x.id);
  }

  /** Done jobs whose mail is still owed (SPEC S-5). */
  async mailOwed(limit = 100): Promise<SearchJob[]> {
    const r = await this.pool.query<StateRow>(`SELECT state, version::text AS version FROM ${JOBS_TABLE} WHERE notification = 'pending' ORDER BY created_at LIMIT $1`, [limit]);
    return r.rows.map((row) => row.state);
  }
}
