import type { CallLogRow, CallLogState } from '@pbx/domain-call-leg';
import type { SqlRunner } from './call-log.query';

// Writes of the history projector into call_log / call_log_state. Set-based: one statement per
// table per batch (rows travel as one jsonb parameter), and an upsert that leaves a row alone
// when nothing changed (a replayed batch writes no new row versions).

/** The fold states of these calls (absent = no event of the call seen yet). */
export async function loadCallLogStates(db: SqlRunner, callIds: readonly string[]): Promise<Map<string, CallLogState>> {
  if (callIds.length === 0) return new Map();
  const r = await db.query<{ call_id: string; state: CallLogState | string }>(`SELECT call_id, state FROM call_log_state WHERE call_id = ANY($1::text[])`, [callIds]);
  // A pg connection with default parsers returns jsonb parsed; one with raw parsers, text.
  return new Map(r.rows.map((row) => [row.call_id, typeof row.state === 'string' ? (JSON.parse(row.state) as CallLogState) : row.state]));
}

export interface CallLogStateWrite {
  readonly callId: string;
  readonly state: CallLogState;
  readonly startedAt: string;
}

export async function saveCallLogStates(db: SqlRunner, states: readonly CallLogStateWrite[]): Promise<void> {
  if (states.length === 0) return;
  await db.query(
    `INSERT INTO call_log_state (call_id, state, started_at)
     SELECT x.call_id, x.state, x.started_at FROM jsonb_to_recordset($1::jsonb) AS x(call_id text, state jsonb, started_at timestamptz)
     ON CONFLICT (call_id) DO UPDATE SET state = EXCLUDED.state, started_at = EXCLUDED.started_at
     WHERE (call_log_state.state, call_log_state.started_at) IS DISTINCT FROM (EXCLUDED.state, EXCLUDED.started_at)`,
    [JSON.stringify(states.map((s) => ({ call_id: s.callId, state: s.state, started_at: s.startedAt })))],
  );
}

const ROW_COLUMNS = [
  ['call_id', 'text'],
  ['request_id', 'text'],
  ['origin_leg_id', 'text'],
  ['started_at', 'timestamptz'],
  ['answered_at', 'timestamptz'],
  ['ended_at', 'timestamptz'],
  ['duration_seconds', 'integer'],
  ['direction', 'text'],
  ['federation', 'boolean'],
  ['presented_caller', 'text'],
  ['callee', 'text'],
  ['answered_by', 'text'],
  ['answered_by_leg_id', 'text'],
  ['result', 'text'],
  ['trunk_id', 'text'],
  ['did', 'text'],
] as const;

const names = ROW_COLUMNS.map(([c]) => c).join(', ');
const UPSERT_ROWS_SQL = `
INSERT INTO call_log (${names})
SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS x(${ROW_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})
ON CONFLICT (call_id) DO UPDATE SET ${ROW_COLUMNS.filter(([c]) => c !== 'call_id')
  .map(([c]) => `${c} = EXCLUDED.${c}`)
  .join(', ')}
WHERE (${ROW_COLUMNS.map(([c]) => `call_log.${c}`).join(', ')}) IS DISTINCT FROM (${ROW_COLUMNS.map(([c]) => `EXCLUDED.${c}`).join(', ')})`;

function toDb(r: CallLogRow): Record<(typeof ROW_COLUMNS)[number][0], unknown> {
  return {
    call_id: r.callId,
    request_id: r.requestId,
    origin_leg_id: r.originLegId,
    started_at: r.startedAt,
    answered_at: r.answeredAt,
    ended_at: r.endedAt,
    duration_seconds: r.durationSeconds,
    direction: r.direction,
    federation: r.federation,
    presented_caller: r.presentedCaller,
    callee: r.callee,
    answered_by: r.answeredBy,
    answered_by_leg_id: r.answeredByLegId,
    result: r.result,
    trunk_id: r.trunkId,
    did: r.did,
  };
}

/** Inserts or replaces call-log rows (one per call id in `rows`; give each call once). */
export async function upsertCallLogRows(db: SqlRunner, rows: readonly CallLogRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(UPSERT_ROWS_SQL, [JSON.stringify(rows.map(toDb))]);
}
