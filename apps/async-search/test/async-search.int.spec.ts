import {
  ASYNC_SEARCH_CREATE,
  ASYNC_SEARCH_DELETE,
  ASYNC_SEARCH_GET,
  ASYNC_SEARCH_LIST,
  AsyncSearchJobView,
  createAsyncSearchReplySchema,
  deleteAsyncSearchReplySchema,
  getAsyncSearchReplySchema,
  listAsyncSearchesReplySchema,
} from '@pbx/contracts';
import { LocalFileStore } from '@pbx/file-store';
import { CALL_LOG_CSV_COLUMNS } from '@pbx/read-models';
import { NatsBus, RemoteError } from '@pbx/service-kit';
import { eventually, parseMail, startTestSmtp, TestSmtp, testNatsUrl } from '@pbx/testing';
import { asConfig, bootInstance, createAsyncSearchDatabase, filesDir, readText, RunningService, seedCallLogs } from './support';

// The "done when": an async search of more than 10,000 rows goes pending → processing →
// done (SPEC S-2), downloads a correct CSV (S-3) and sends the mail (S-5).
describe('async search of call logs over NATS (SPEC S-2, S-3, S-5)', () => {
  const ROWS = 12_345;
  let url: string;
  let dir: string;
  let service: RunningService;
  let bus: NatsBus;
  let smtp: TestSmtp;

  beforeAll(async () => {
    url = await createAsyncSearchDatabase();
    await seedCallLogs(url, ROWS, { weird: 1_000 });
    smtp = await startTestSmtp();
    dir = filesDir();
    service = await bootInstance(
      asConfig({ DATABASE_URL: url, ASYNC_SEARCH_FILES_DIR: dir, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), MAIL_FROM: 'BIZTEL <noreply@pbx.test>', FETCH_SIZE: '1000', PROGRESS_EVERY_ROWS: '2000' }),
    );
    bus = await NatsBus.connect(testNatsUrl(), 'as-lifecycle');
  });
  afterAll(async () => {
    await bus?.close();
    await service?.close();
    await smtp?.close();
  });

  const create = (payload: unknown) => bus.request(ASYNC_SEARCH_CREATE, payload, createAsyncSearchReplySchema);
  const get = (login: string, id: string) => bus.request(ASYNC_SEARCH_GET, { login, id }, getAsyncSearchReplySchema);
  const done = (login: string, id: string) =>
    eventually(`job ${id} done`, async () => {
      const v = await get(login, id);
      if (v.status === 'failed') throw new Error(`job failed: ${JSON.stringify(v.failure)}`);
      return v.status === 'done' ? v : undefined;
    }, 30_000, 50);
  const readResult = async (key: string): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of await new LocalFileStore(dir).openReadStream(key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  let job: AsyncSearchJobView;

  it('registers a pending job and runs it to done with every matching row (> 10,000)', async () => {
    const created = await create({ account: { login: 'sato', email: 'sato@example.jp' }, target: 'call-logs', conditions: {}, memo: '全件' });
    expect(created).toEqual({ id: expect.any(String), status: 'pending', createdAt: expect.any(String) });
    job = await done('sato', created.id);
    expect(job).toMatchObject({ id: created.id, target: 'call-logs', memo: '全件', conditions: {}, status: 'done', rowCount: ROWS, progress: { rows: ROWS, percent: 100 }, createdAt: created.createdAt });
    expect(job.resultKey).toBe(`async-search/${created.id}/1.csv`);
    expect(Date.parse(job.startedAt!)).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
    expect(Date.parse(job.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(job.startedAt!));
    // progress was stored every 2,000 rows while it ran, not per row (SPEC S-2)
    const progress = await readText(url, `SELECT message_data FROM emt_messages WHERE stream_id = $1 AND message_type = 'SearchJobProgressed' ORDER BY stream_position`, [`search-job-${created.id}`]);
    const rows = progress.map((r) => (r.message_data as { rows: number }).rows);
    expect(rows[0]).toBe(0); // the count, before the first row
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.length).toBeLessThan(20);
    expect((progress[0].message_data as { total: number }).total).toBe(ROWS);
    // the run is counted once it has also sent its mail
    const metrics = await eventually('the run counted', async () => {
      const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
      return /^pbx_async_search_runs_total\{[^}]*outcome="done"[^}]*\} 1$/m.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(new RegExp(`^pbx_async_search_rows_total\\{[^}]*\\} ${ROWS}$`, 'm'));
  });

  it('wrote a UTF-8 CSV with BOM, the documented header, CRLF records, newest first, formula cells neutralised (SPEC S-3)', async () => {
    const csv = await readResult(job.resultKey!);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).split('\r\n');
    expect(lines.pop()).toBe(''); // the file ends with CRLF
    expect(lines[0]).toBe(CALL_LOG_CSV_COLUMNS.map((c) => c.header).join(','));
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[1]).toBe('2025-03-31T23:59:59.000Z,2025-04-01T00:00:02.000Z,2025-04-01T00:01:02.000Z,60,outgoing,09012340001,0312300001,1001,answered,,,false,req-1,call-00000001');
    expect(lines[ROWS]).toMatch(/,call-00012345$/);
    // row 1000: a caller that is a formula, a callee with a comma and quotes
    expect(lines[1000]).toContain(`,"'=HYPERLINK(""http://evil"")","Sato, ""Taro""",`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it('mailed the account once: the subject, the registration time, a link to the history screen, no attachment (SPEC S-5)', async () => {
    const mails = await eventually('the done mail', () => (smtp.mails.length >= 1 ? smtp.mails : undefined));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: 'noreply@pbx.test', to: ['sato@example.jp'] });
    const mail = parseMail(mails[0].raw);
    expect(mail.subject).toBe('BIZTEL:非同期履歴検索通知');
    expect(mail.parts).toHaveLength(1); // one plain-text part: no attachment
    expect(mail.parts[0].type).toMatch(/^text\/plain/);
    expect(mail.parts[0].disposition).toBeUndefined();
    expect(mail.headers.get('content-type')).not.toMatch(/multipart\/mixed/);
    const registeredAt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo', dateStyle: 'short', timeStyle: 'medium' }).format(new Date(job.createdAt)).replace(/-/g, '/');
    expect(mail.parts[0].body).toContain(`登録日時: ${registeredAt} (Asia/Tokyo)`);
    expect(mail.parts[0].body).toContain(`https://portal.pbx.test/history/call-logs?asyncSearch=${job.id}`);
    const stored = await readText(url, `SELECT message_data FROM emt_messages WHERE stream_id = $1 AND message_type = 'SearchJobNotified'`, [`search-job-${job.id}`]);
    expect(stored).toHaveLength(1);
  });

  it('applies the conditions and the account scope (SPEC A-1) to the rows it exports', async () => {
    const byNumber = await create({ account: { login: 'sato' }, target: 'call-logs', conditions: { number: '0312300007', from: '2025-03-31T22:00:00.000Z' }, memo: '' });
    const scoped = await create({ account: { login: 'tanaka' }, target: 'call-logs', conditions: { direction: 'internal' }, memo: '', scope: { numbers: ['0312300008', '09012340017'] } });
    const [a, b] = [await done('sato', byNumber.id), await done('tanaka', scoped.id)];
    const [expectA] = await readText(url, `SELECT count(*)::int AS n FROM call_log WHERE (callee = '0312300007' OR presented_caller = '0312300007') AND started_at >= '2025-03-31T22:00:00Z'`);
    const [expectB] = await readText(url, `SELECT count(*)::int AS n FROM call_log WHERE direction = 'internal' AND (callee = '0312300008' OR presented_caller = '09012340017')`);
    expect(a.rowCount).toBe(expectA.n);
    expect(b.rowCount).toBe(expectB.n);
    expect(a.rowCount).toBeGreaterThan(0);
    expect(b.rowCount).toBeGreaterThan(0);
    const lines = (await readResult(b.resultKey!)).split('\r\n').slice(1, -1);
    expect(lines.every((l) => l.includes(',internal,') && (l.includes(',0312300008,') || l.includes(',09012340017,')))).toBe(true);
    expect(smtp.mails).toHaveLength(1); // neither account gave an address: no mail
  });

  it('an empty result is a done job with the header only', async () => {
    const none = await create({ account: { login: 'sato' }, target: 'call-logs', conditions: { from: '2030-01-01T00:00:00Z' }, memo: 'nothing' });
    const v = await done('sato', none.id);
    expect(v.rowCount).toBe(0);
    expect(await readResult(v.resultKey!)).toBe(`\uFEFF${CALL_LOG_CSV_COLUMNS.map((c) => c.header).join(',')}\r\n`);
  });

  it('lists the account’s jobs newest first, and hides them from other accounts (NOT_FOUND)', async () => {
    const list = await bus.request(ASYNC_SEARCH_LIST, { login: 'sato' }, listAsyncSearchesReplySchema);
    expect(list.items.map((i) => i.memo)).toEqual(['nothing', '', '全件']);
    expect((await bus.request(ASYNC_SEARCH_LIST, { login: 'nobody' }, listAsyncSearchesReplySchema)).items).toEqual([]);
    await expect(get('tanaka', job.id)).rejects.toMatchObject({ code: 'ASYNC_SEARCH.NOT_FOUND' });
    await expect(get('sato', 'no-such-job')).rejects.toMatchObject({ code: 'ASYNC_SEARCH.NOT_FOUND' });
    await expect(bus.request(ASYNC_SEARCH_DELETE, { login: 'tanaka', id: job.id }, deleteAsyncSearchReplySchema)).rejects.toMatchObject({ code: 'ASYNC_SEARCH.NOT_FOUND' });
  });

  it('deletes a done job and its file; the job is then not found', async () => {
    expect(await new LocalFileStore(dir).stat(job.resultKey!)).toBeDefined();
    await expect(bus.request(ASYNC_SEARCH_DELETE, { login: 'sato', id: job.id }, deleteAsyncSearchReplySchema)).resolves.toEqual({ id: job.id, deleted: true });
    expect(await new LocalFileStore(dir).stat(job.resultKey!)).toBeUndefined();
    await expect(get('sato', job.id)).rejects.toMatchObject({ code: 'ASYNC_SEARCH.NOT_FOUND' });
    await expect(bus.request(ASYNC_SEARCH_DELETE, { login: 'sato', id: job.id }, deleteAsyncSearchReplySchema)).rejects.toMatchObject({ code: 'ASYNC_SEARCH.NOT_FOUND' });
  });

  it('answers bad payloads with CONTRACT.INVALID_PAYLOAD naming the fields', async () => {
    const err = (await create({ account: { login: '' }, target: 'faxes', conditions: { direction: 'sideways', from: 'yesterday' }, memo: 'x'.repeat(201) }).catch((e: unknown) => e)) as RemoteError;
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.code).toBe('CONTRACT.INVALID_PAYLOAD');
    for (const field of ['account.login', 'target', 'conditions.direction', 'conditions.from', 'memo']) expect(err.message).toContain(field);
    await expect(create({ account: { login: 'sato' }, target: 'call-logs', conditions: { from: '2025-04-02T00:00:00Z', to: '2025-04-01T00:00:00Z' } })).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD' });
    await expect(create({ account: { login: 'sato' }, target: 'call-logs', conditions: { caller: 'x' } })).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD' });
    const raw = await bus.connection.request(ASYNC_SEARCH_GET, Buffer.from('{not json'));
    expect(JSON.parse(raw.string())).toMatchObject({ error: { code: 'CONTRACT.INVALID_PAYLOAD' } });
  });
});
