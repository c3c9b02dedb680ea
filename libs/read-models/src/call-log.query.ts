import type { CallLogConditions, CallLogItem, CallLogScope, CallLogSearch } from '@pbx/contracts';

// Plain SQL over call_log for the search paths (sync search here, async search's cursor):
// parameterised, and shaped so PostgreSQL can use the indexes of the migration.

export const CALL_LOG_TABLE = 'call_log';

/** Newest first; call_id breaks ties so pages and cursors are stable. Matches index call_log_started_at. */
export const CALL_LOG_ORDER_SQL = 'started_at DESC, call_id DESC';

export interface SqlWhere {
  /** A boolean SQL expression over call_log's columns (`TRUE` when nothing filters). */
  readonly whereSql: string;
  readonly params: unknown[];
}

/** The columns a number is matched against (the number filter and the A-1 scope). */
const NUMBER_COLUMNS = ['presented_caller', 'callee', 'answered_by', 'did'] as const;

/**
 * The WHERE clause of a call-log search. `from` inclusive, `to` exclusive, on started_at. The
 * number filter and the scope each match any of the caller, callee, answered-by and DID columns
 * (one OR of equalities, which PostgreSQL answers with a BitmapOr of the (number, started_at)
 * indexes). An empty scope matches nothing. `firstParam` numbers the placeholders from $firstParam,
 * for callers that put parameters of their own before these.
 */
export function buildCallLogQuery(conditions: CallLogConditions, scope?: CallLogScope, firstParam = 1): SqlWhere {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  if (conditions.from !== undefined) clauses.push(`started_at >= ${p(conditions.from)}::timestamptz`);
  if (conditions.to !== undefined) clauses.push(`started_at < ${p(conditions.to)}::timestamptz`);
  if (conditions.number !== undefined) {
    const n = p(conditions.number);
    clauses.push(`(${NUMBER_COLUMNS.map((c) => `${c} = ${n}::text`).join(' OR ')})`);
  }
  if (conditions.direction !== undefined) clauses.push(`direction = ${p(conditions.direction)}::text`);
  if (conditions.result !== undefined) clauses.push(`result = ${p(conditions.result)}::text`);
  if (scope !== undefined) {
    if (scope.numbers.length === 0) {
      clauses.push('FALSE');
    } else {
      const s = p([...new Set(scope.numbers)]);
      clauses.push(`(${NUMBER_COLUMNS.map((c) => `${c} = ANY(${s}::text[])`).join(' OR ')})`);
    }
  }
  return { whereSql: clauses.length === 0 ? 'TRUE' : clauses.join(' AND '), params };
}

/** The select list that `toCallLogItem` reads (instants as ISO-8601 UTC text, so no Date round trip). */
export const CALL_LOG_ITEM_SELECT = [
  'call_id',
  'request_id',
  `to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at`,
  `to_char(answered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS answered_at`,
  `to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ended_at`,
  'duration_seconds',
  'direction',
  'federation',
  'presented_caller',
  'callee',
  'answered_by',
  'result',
  'trunk_id',
  'did',
].join(', ');

export interface CallLogDbRow {
  call_id: string;
  request_id: string;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  duration_seconds: number;
  direction: CallLogItem['direction'];
  federation: boolean;
  presented_caller: string;
  callee: string;
  answered_by: string | null;
  result: CallLogItem['result'];
  trunk_id: string | null;
  did: string | null;
}

export function toCallLogItem(r: CallLogDbRow): CallLogItem {
  return {
    callId: r.call_id,
    requestId: r.request_id,
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    durationSeconds: r.duration_seconds,
    direction: r.direction,
    presentedCaller: r.presented_caller,
    callee: r.callee,
    answeredBy: r.answered_by,
    result: r.result,
    trunkId: r.trunk_id,
    did: r.did,
    federation: r.federation,
  };
}

/** Anything with pg's `query` (Pool, PoolClient, Client). */
export interface SqlRunner {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export type CallLogSearchOutcome = { readonly kind: 'page'; readonly items: CallLogItem[]; readonly total: number } | { readonly kind: 'too-many'; readonly limit: number };

/**
 * The sync search (SPEC S-1): counts first, but never past `limit` + 1 matches (a LIMIT in the
 * count's subquery, so a broad period costs at most limit + 1 index entries); over the limit it
 * answers `too-many` without reading a page. Otherwise one page, newest first.
 */
export async function searchCallLogs(db: SqlRunner, search: CallLogSearch, limit: number): Promise<CallLogSearchOutcome> {
  const { limit: pageSize, offset, scope, ...conditions } = search;
  const where = buildCallLogQuery(conditions, scope);
  const counted = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${CALL_LOG_TABLE} WHERE ${where.whereSql} LIMIT ${limit + 1}) AS matches`,
    where.params,
  );
  const total = counted.rows[0]?.n ?? 0;
  if (total > limit) return { kind: 'too-many', limit };
  if (total === 0 || offset >= total) return { kind: 'page', items: [], total };
  const n = where.params.length;
  const page = await db.query<CallLogDbRow>(
    `SELECT ${CALL_LOG_ITEM_SELECT} FROM ${CALL_LOG_TABLE} WHERE ${where.whereSql} ORDER BY ${CALL_LOG_ORDER_SQL} LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...where.params, pageSize, offset],
  );
  return { kind: 'page', items: page.rows.map(toCallLogItem), total };
}
