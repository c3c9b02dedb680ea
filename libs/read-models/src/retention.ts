import type { SqlRunner } from './call-log.query';

export interface PurgeResult {
  readonly callLog: number;
  readonly callLogState: number;
  readonly callCenterLog: number;
}

/**
 * Retention (SPEC K-5): deletes the history rows of calls that started before `cutoff`, with the
 * projector's fold state of those calls, in one transaction of the caller's choosing (the
 * projector runs it in a consumer-free transaction; rows are independent of the checkpoint).
 */
export async function purgeHistoryBefore(db: SqlRunner, cutoff: Date): Promise<PurgeResult> {
  const at = cutoff.toISOString();
  const r = await db.query<{ call_log: number; call_log_state: number; call_center_log: number }>(
    `WITH l AS (DELETE FROM call_log WHERE started_at < $1::timestamptz RETURNING 1),
          s AS (DELETE FROM call_log_state WHERE started_at < $1::timestamptz RETURNING 1),
          c AS (DELETE FROM call_center_log WHERE queued_at < $1::timestamptz RETURNING 1)
     SELECT (SELECT count(*)::int FROM l) AS call_log, (SELECT count(*)::int FROM s) AS call_log_state, (SELECT count(*)::int FROM c) AS call_center_log`,
    [at],
  );
  const row = r.rows[0];
  return { callLog: row?.call_log ?? 0, callLogState: row?.call_log_state ?? 0, callCenterLog: row?.call_center_log ?? 0 };
}

/** The cutoff of a retention of `days` days at `now`. */
export const retentionCutoff = (now: Date, days: number): Date => new Date(now.getTime() - days * 86_400_000);
