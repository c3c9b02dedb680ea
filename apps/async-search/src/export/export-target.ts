import { callLogConditionsSchema, callLogScopeSchema } from '@pbx/contracts';
import { buildCallLogQuery, CALL_LOG_CSV_COLUMNS, CALL_LOG_ORDER_SQL, CALL_LOG_TABLE, callLogCsvSelectSql } from '@pbx/read-models';

/** A statement with its parameters. */
export interface SqlStatement {
  readonly text: string;
  readonly values: unknown[];
}

/**
 * What an async search can export (SPEC S-6): the CSV header, and the SQL whose rows are the
 * CSV records (every column already text, in header order) plus the count of those rows.
 * Call logs now; the call-center log, callback results and the callback queue register here in
 * their issues.
 */
export interface ExportTarget {
  readonly name: string;
  readonly header: readonly string[];
  /** Throws a ZodError for conditions or a scope that no longer fit the target's schema. */
  statements(conditions: unknown, scope: unknown): { readonly rows: SqlStatement; readonly count: SqlStatement };
}

export class ExportTargets {
  private readonly byName = new Map<string, ExportTarget>();
  constructor(targets: readonly ExportTarget[]) {
    for (const t of targets) this.byName.set(t.name, t);
  }
  get(name: string): ExportTarget | undefined {
    return this.byName.get(name);
  }
}

/** 発着信履歴 (SPEC H-2): history-projector's call_log, with the columns of docs/history.md "CSV columns". */
export const callLogsTarget: ExportTarget = {
  name: 'call-logs',
  header: CALL_LOG_CSV_COLUMNS.map((c) => c.header),
  statements(conditions, scope) {
    const where = buildCallLogQuery(callLogConditionsSchema.parse(conditions), scope === undefined ? undefined : callLogScopeSchema.parse(scope));
    return {
      rows: { text: `SELECT ${callLogCsvSelectSql()} FROM ${CALL_LOG_TABLE} WHERE ${where.whereSql} ORDER BY ${CALL_LOG_ORDER_SQL}`, values: where.params },
      count: { text: `SELECT count(*)::text AS n FROM ${CALL_LOG_TABLE} WHERE ${where.whereSql}`, values: where.params },
    };
  },
};

export const defaultExportTargets = (): ExportTargets => new ExportTargets([callLogsTarget]);
