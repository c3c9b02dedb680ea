// The CSV columns of a call-log export (async search, SPEC S-3), in order. Documented in
// docs/history.md "CSV columns". Each column's `sql` yields the cell as text (NULL → empty cell),
// so a cursor reader writes cells as they come, with no per-row formatting in JavaScript.

export interface CsvColumn {
  /** Stable key of the column (the CallLogItem field it shows). */
  readonly key: string;
  readonly ja: string;
  readonly en: string;
  /** The header cell: `<ja> (<en>)`. */
  readonly header: string;
  /** A text-valued SQL expression over call_log's columns. */
  readonly sql: string;
}

const utc = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const col = (key: string, ja: string, en: string, sql: string): CsvColumn => ({ key, ja, en, header: `${ja} (${en})`, sql });

export const CALL_LOG_CSV_COLUMNS: readonly CsvColumn[] = [
  col('startedAt', '開始日時', 'Started at', utc('started_at')),
  col('answeredAt', '応答日時', 'Answered at', utc('answered_at')),
  col('endedAt', '終了日時', 'Ended at', utc('ended_at')),
  col('durationSeconds', '通話時間(秒)', 'Duration (s)', 'duration_seconds::text'),
  col('direction', '発着信種別', 'Direction', 'direction'),
  col('presentedCaller', '発信者番号', 'Caller', 'presented_caller'),
  col('callee', '着信番号', 'Callee', 'callee'),
  col('answeredBy', '応答者', 'Answered by', 'answered_by'),
  col('result', '結果', 'Result', 'result'),
  col('trunkId', 'トランク', 'Trunk', 'trunk_id'),
  col('did', 'ダイヤルイン番号', 'DID', 'did'),
  col('federation', '拠点間連携', 'Federation', `CASE WHEN federation THEN 'true' ELSE 'false' END`),
  col('requestId', 'リクエストID', 'Request ID', 'request_id'),
  col('callId', '通話ID', 'Call ID', 'call_id'),
];

/** `SELECT <this> FROM call_log WHERE … ORDER BY CALL_LOG_ORDER_SQL`: one text column per CSV column, named c0, c1, …. */
export function callLogCsvSelectSql(columns: readonly CsvColumn[] = CALL_LOG_CSV_COLUMNS): string {
  return columns.map((c, i) => `${c.sql} AS c${i}`).join(', ');
}
