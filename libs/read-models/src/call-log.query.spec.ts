import { CALL_LOG_CSV_COLUMNS, callLogCsvSelectSql } from './call-log.csv';
import { buildCallLogQuery } from './call-log.query';

describe('buildCallLogQuery', () => {
  it('is TRUE with no condition and no scope (system admin, everything)', () => {
    expect(buildCallLogQuery({})).toEqual({ whereSql: 'TRUE', params: [] });
  });

  it('bounds the period from inclusive, to exclusive, as parameters', () => {
    const q = buildCallLogQuery({ from: '2025-04-01T00:00:00.000Z', to: '2025-05-01T00:00:00.000Z' });
    expect(q.whereSql).toBe('started_at >= $1::timestamptz AND started_at < $2::timestamptz');
    expect(q.params).toEqual(['2025-04-01T00:00:00.000Z', '2025-05-01T00:00:00.000Z']);
  });

  it('matches a number against caller, callee, answered-by and DID with one parameter', () => {
    const q = buildCallLogQuery({ number: '0312345678', direction: 'incoming', result: 'busy' });
    expect(q.whereSql).toBe('(presented_caller = $1::text OR callee = $1::text OR answered_by = $1::text OR did = $1::text) AND direction = $2::text AND result = $3::text');
    expect(q.params).toEqual(['0312345678', 'incoming', 'busy']);
  });

  it('scopes to a list of numbers (SPEC A-1), deduplicated', () => {
    const q = buildCallLogQuery({}, { numbers: ['1001', '1001', '0312345678'] });
    expect(q.whereSql).toBe('(presented_caller = ANY($1::text[]) OR callee = ANY($1::text[]) OR answered_by = ANY($1::text[]) OR did = ANY($1::text[]))');
    expect(q.params).toEqual([['1001', '0312345678']]);
  });

  it('an empty scope matches nothing (a supervisor granted no number sees no call)', () => {
    expect(buildCallLogQuery({ number: '1001' }, { numbers: [] }).whereSql).toMatch(/ AND FALSE$/);
  });

  it('numbers placeholders from firstParam, for callers with parameters of their own', () => {
    const q = buildCallLogQuery({ from: '2025-04-01T00:00:00.000Z', number: '1001' }, { numbers: ['1001'] }, 3);
    expect(q.whereSql).toContain('$3::timestamptz');
    expect(q.whereSql).toContain('= $4::text');
    expect(q.whereSql).toContain('ANY($5::text[])');
    expect(q.params).toHaveLength(3);
  });

  it('puts no value into the SQL text (input cannot inject)', () => {
    const q = buildCallLogQuery({ number: "1'; DROP TABLE call_log; --" });
    expect(q.whereSql).not.toContain('DROP');
  });
});

describe('CALL_LOG_CSV_COLUMNS', () => {
  it('has unique keys and Japanese (English) headers', () => {
    const keys = CALL_LOG_CSV_COLUMNS.map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of CALL_LOG_CSV_COLUMNS) expect(c.header).toBe(`${c.ja} (${c.en})`);
    expect(CALL_LOG_CSV_COLUMNS[0]).toMatchObject({ key: 'startedAt', ja: '開始日時', en: 'Started at' });
  });

  it('selects one aliased text column per CSV column, in order', () => {
    const sql = callLogCsvSelectSql();
    expect(sql.match(/ AS c\d+/g)).toEqual(CALL_LOG_CSV_COLUMNS.map((_, i) => ` AS c${i}`));
  });
});
