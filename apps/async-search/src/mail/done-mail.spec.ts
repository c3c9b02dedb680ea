import type { SearchJob } from '@pbx/domain-async-search';
import { composeDoneMail, DONE_MAIL_SUBJECT, formatRegisteredAt, historyScreenUrl } from './done-mail';

const job = (extra: Partial<SearchJob> = {}): SearchJob => ({
  status: 'done',
  jobId: '0b7c2a52-1111-4c4c-9e9e-000000000001',
  owner: { login: 'sato', email: 'sato@example.jp' },
  target: 'call-logs',
  conditions: {},
  memo: '3月分',
  createdAt: '2025-04-01T09:00:00.000Z',
  attempt: 1,
  tries: 1,
  progress: { rows: 12345 },
  result: { key: 'async-search/x/1.csv', rowCount: 12345, bytes: 1 },
  notification: 'pending',
  notificationFailures: 0,
  ...extra,
});

describe('the done mail (SPEC S-5)', () => {
  it('has the subject of the spec, word for word', () => expect(composeDoneMail(job(), { portalUrl: 'https://portal.example', timeZone: 'Asia/Tokyo' })?.subject).toBe('BIZTEL:非同期履歴検索通知'));
  it('goes to the account address and names the registration time in the zone, and links to the history screen', () => {
    const m = composeDoneMail(job(), { portalUrl: 'https://portal.example/', timeZone: 'Asia/Tokyo' });
    expect(m?.to).toBe('sato@example.jp');
    expect(m?.text).toContain('登録日時: 2025/04/01 18:00:00 (Asia/Tokyo)');
    expect(m?.text).toContain('https://portal.example/history/call-logs?asyncSearch=0b7c2a52-1111-4c4c-9e9e-000000000001');
    expect(m?.text).toContain('件数: 12,345件');
    expect(m?.text).toContain('メモ: 3月分');
  });
  it('is not sent to an account without an address', () => expect(composeDoneMail(job({ owner: { login: 'suzuki' } }), { portalUrl: 'https://p', timeZone: 'UTC' })).toBeUndefined());
  it('keeps a memo on one line (no header or body tricks from user text)', () =>
    expect(composeDoneMail(job({ memo: 'a\r\nBcc: x@evil' }), { portalUrl: 'https://p', timeZone: 'UTC' })?.text).toContain('メモ: a Bcc: x@evil\n'));
  it('formats midnight as 00, not 24', () => expect(formatRegisteredAt('2025-03-31T15:00:00.000Z', 'Asia/Tokyo')).toBe('2025/04/01 00:00:00'));
  it('links an unknown target to the history root', () => expect(historyScreenUrl('https://p', { target: 'other', jobId: 'j' })).toBe('https://p/history?asyncSearch=j'));
  it('exports the subject constant', () => expect(DONE_MAIL_SUBJECT).toBe('BIZTEL:非同期履歴検索通知'));
});
