import { csvFilename } from './async-searches.handler';

describe('CSV download file name', () => {
  it('holds target, registration time (UTC) and id, with filename-safe characters only', () => {
    expect(csvFilename({ id: '01J9Z', target: 'call-logs', createdAt: '2026-01-21T09:30:00.123Z' })).toBe('call-logs_20260121-093000_01J9Z.csv');
    expect(csvFilename({ id: 'a"b\r\n/../c', target: 'call-logs', createdAt: '2026-01-21T09:30:00Z' })).toBe('call-logs_20260121-093000_a_b___.._c.csv');
  });
});
