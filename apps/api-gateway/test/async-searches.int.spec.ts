import { join } from 'node:path';
import type { CallLogRow } from '@pbx/domain-call-leg';
import { migrateEventStore } from '@pbx/event-store';
import { migrateReadModels, upsertCallLogRows } from '@pbx/read-models';
import { RunningService } from '@pbx/service-kit';
import { createTestDatabase, eventually, ManagedProcess, parseMail, startTestSmtp, TestSmtp, testDir, uniqueName } from '@pbx/testing';
import { Client } from 'pg';
import { bootGateway, gatewayConfig, http, login, startRepoService, writeGatewayProvisioning } from './support';

// 非同期履歴検索 through REST (SPEC S-2..S-5, A-1), answered by the real async-search service
// (child processes) over call_log rows; the CSV is streamed from the shared file store.
describe('/api/v1/async-searches (SPEC S-2, S-3, S-4, S-5, A-1)', () => {
  let databaseUrl: string;
  let filesDir: string;
  let provisioningFile: string;
  let smtp: TestSmtp;
  let front: ManagedProcess; // answers NATS, runs no job (WORKER_CONCURRENCY=0)
  let worker: ManagedProcess | undefined;
  let gw: RunningService;
  let url: string;
  const tokens: Record<string, string> = {};
  const base = Date.parse('2026-03-02T00:00:00Z');
  const IN_SCOPE = 10_020; // calls on the center's DID (supervisor sv1's scope)
  const OUT_OF_SCOPE = 30; // calls on a DID nobody is granted

  const api = (path: string, who: string, init: RequestInit & { json?: unknown } = {}) => http(`${url}/api/v1/async-searches${path}`, { ...init, token: tokens[who] });
  const create = (who: string, body: unknown = { target: 'call-logs', conditions: {}, memo: 'monthly export' }) => api('', who, { method: 'POST', json: body });

  const row = (i: number, did: string): CallLogRow => {
    const at = new Date(base - (i + 1) * 1000).toISOString();
    return { callId: `${did}-${i}`, requestId: `req-${did}-${i}`, originLegId: `${did}-${i}-a`, startedAt: at, answeredAt: at, endedAt: at, durationSeconds: 0, direction: 'incoming', federation: false, presentedCaller: `090${String(i).padStart(8, '0')}`, callee: did, answeredBy: '1002', answeredByLegId: `${did}-${i}-b`, result: 'answered', trunkId: 'carrier-a', did };
  };

  const env = () => ({ DATABASE_URL: databaseUrl, ASYNC_SEARCH_FILES_DIR: filesDir, PROVISIONING_FILE: provisioningFile, POLL_INTERVAL_MS: '200', SWEEP_INTERVAL_MS: '500', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), PORTAL_URL: 'http://portal.example.test' });

  beforeAll(async () => {
    provisioningFile = writeGatewayProvisioning().file;
    filesDir = join(testDir(), uniqueName('files'));
    databaseUrl = await createTestDatabase('gw_async');
    await migrateEventStore(databaseUrl);
    await migrateReadModels(databaseUrl);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const rows = [...Array.from({ length: IN_SCOPE }, (_, i) => row(i, '0312345678')), ...Array.from({ length: OUT_OF_SCOPE }, (_, i) => row(i, '0399990000'))];
      for (let i = 0; i < rows.length; i += 2_000) await upsertCallLogRows(db, rows.slice(i, i + 2_000));
    } finally {
      await db.end();
    }
    smtp = await startTestSmtp();
    front = await startRepoService('async-search', { ...env(), WORKER_CONCURRENCY: '0' });
    gw = await bootGateway(gatewayConfig({ PROVISIONING_FILE: provisioningFile, ASYNC_SEARCH_FILES_DIR: filesDir }));
    url = gw.httpUrl;
    for (const a of ['admin', 'sv1', 'agent1', 'agent2']) tokens[a] = await login(url, a);
  });
  afterAll(async () => {
    await gw?.close();
    await worker?.stop();
    await front?.stop();
    await smtp?.close();
  });

  let svJob: string;

  it('registers a job: 201 pending, listed for its account only, without the storage key', async () => {
    const r = await create('sv1');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'pending' });
    svJob = r.body.id as string;
    const mine = await api('', 'sv1');
    expect(mine.status).toBe(200);
    expect((mine.body.items as { id: string }[]).map((j) => j.id)).toEqual([svJob]);
    expect(mine.body.items).toEqual([expect.not.objectContaining({ resultKey: expect.anything() })]);
    expect((mine.body.items as Record<string, unknown>[])[0]).toMatchObject({ id: svJob, target: 'call-logs', memo: 'monthly export', status: 'pending', conditions: {} });
    expect((await api('', 'agent2')).body).toEqual({ items: [] });
  });

  it('another account’s job is a 404, like an unknown id (nothing leaked)', async () => {
    const other = await api(`/${svJob}`, 'agent2');
    const unknown = await api('/no-such-job', 'agent2');
    expect(other).toMatchObject({ status: 404, body: { error: { code: 'ASYNC_SEARCH.NOT_FOUND' } } });
    expect(other.text).toBe(unknown.text);
    for (const [path, method] of [[`/${svJob}/download`, 'GET'], [`/${svJob}`, 'DELETE'], [`/${svJob}/retry`, 'POST']] as const) {
      expect((await api(path, 'agent2', { method })).status).toBe(404);
    }
  });

  it('download before done: 409 with the status; retry of a job that did not fail: 409', async () => {
    expect(await api(`/${svJob}/download`, 'sv1')).toMatchObject({ status: 409, body: { error: { code: 'ASYNC_SEARCH.RESULT_NOT_READY', status: 'pending' } } });
    expect(await api(`/${svJob}/retry`, 'sv1', { method: 'POST' })).toMatchObject({ status: 409, body: { error: { code: 'ASYNC_SEARCH.NOT_RETRYABLE' } } });
  });

  it('odd bodies are a 400 naming each field; an account or scope cannot be smuggled in', async () => {
    const cases: [unknown, string[]][] = [
      [{ target: 'callbacks', conditions: {} }, ['body.target']],
      [{ target: 'call-logs', conditions: { from: 'last week', direction: 'up', number: 'x' } }, ['body.conditions.direction', 'body.conditions.from', 'body.conditions.number']],
      [{ target: 'call-logs', conditions: { from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' } }, ['body.conditions.to']],
      [{ target: 'call-logs', conditions: {}, memo: 'm'.repeat(201) }, ['body.memo']],
      [{ target: 'call-logs', conditions: {}, scope: { numbers: [] }, account: { login: 'admin' } }, ['body.account', 'body.scope']],
      [{ target: 'call-logs' }, ['body.conditions']],
      [[], ['body']],
    ];
    for (const [body, fields] of cases) {
      const r = await create('sv1', body);
      expect({ body, status: r.status, fields: (r.body.error?.fields as { path: string }[] | undefined)?.map((f) => f.path).sort() }).toEqual({ body, status: 400, fields });
    }
    expect((await api('', 'sv1', { method: 'POST', body: 'target=call-logs', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(400);
  });

  it('an account holds at most 10 async searches; deleting one frees a slot (SPEC S-4)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await create('agent1', { target: 'call-logs', conditions: { result: 'busy' }, memo: `#${i}` });
      expect(r.status).toBe(201);
      ids.push(r.body.id as string);
    }
    expect(await create('agent1')).toMatchObject({ status: 409, body: { error: { code: 'ASYNC_SEARCH.LIMIT_REACHED', limit: 10 } } });
    expect(await api(`/${ids[0]}`, 'agent1', { method: 'DELETE' })).toMatchObject({ status: 200, body: { id: ids[0], deleted: true } });
    expect((await api(`/${ids[0]}`, 'agent1')).status).toBe(404);
    expect((await create('agent1')).status).toBe(201);
    // Another account's slots are its own.
    expect((await create('agent2')).status).toBe(201);
  });

  it('goes pending → done once a worker runs, with its row count and a download link (SPEC S-2)', async () => {
    worker = await startRepoService('async-search', { ...env(), WORKER_CONCURRENCY: '1' });
    const done = await eventually(
      'the supervisor’s job done',
      async () => {
        const r = await api(`/${svJob}`, 'sv1');
        return r.body.status === 'done' ? r.body : undefined;
      },
      60_000,
    );
    expect(done).toMatchObject({ id: svJob, status: 'done', rowCount: IN_SCOPE, downloadUrl: `/api/v1/async-searches/${svJob}/download` });
    expect(done.startedAt).toEqual(expect.any(String));
    expect(done.finishedAt).toEqual(expect.any(String));
  });

  it('downloads the CSV: UTF-8 with BOM, a header, exactly the rows the supervisor may see (SPEC S-3, A-1)', async () => {
    const res = await fetch(`${url}/api/v1/async-searches/${svJob}/download`, { headers: { authorization: `Bearer ${tokens.sv1}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="call-logs_\d{8}-\d{6}_[A-Za-z0-9._-]+\.csv"$/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines.pop()).toBe(''); // CRLF after the last record
    expect(lines[0]).toContain('開始日時');
    expect(lines).toHaveLength(1 + IN_SCOPE);
    expect(lines.filter((l) => l.includes('0312345678'))).toHaveLength(IN_SCOPE);
    expect(lines.some((l) => l.includes('0399990000'))).toBe(false);
  });

  it('mails the account when done: the S-5 subject, a link to the history screen, no attachment (SPEC S-5)', async () => {
    const mail = await eventually('the done mail to sv1', () => smtp.mails.find((m) => m.to.includes('sv1@example.test')), 30_000);
    const parsed = parseMail(mail.raw);
    expect(parsed.subject).toBe('BIZTEL:非同期履歴検索通知');
    expect(parsed.parts).toHaveLength(1); // one text part: nothing attached
    expect(parsed.parts[0].type).toMatch(/^text\/plain/);
    const text = parsed.parts[0].body;
    expect(text).toContain('登録日時');
    expect(text).toContain('http://portal.example.test');
    expect(text).toContain('10,020');
    expect(mail.raw.toLowerCase()).not.toContain('content-disposition: attachment');
    expect(smtp.mails.filter((m) => m.to.includes('sv1@example.test'))).toHaveLength(1);
  });

  it('deleting a done job removes it and its download', async () => {
    expect((await api(`/${svJob}`, 'sv1', { method: 'DELETE' })).status).toBe(200);
    expect((await api(`/${svJob}/download`, 'sv1')).status).toBe(404);
    expect((await api('', 'sv1')).body).toEqual({ items: [] });
  });

  it('503 (not 500) while async-search is down', async () => {
    await worker?.stop();
    await front.stop();
    expect(await api('', 'sv1')).toMatchObject({ status: 503, body: { error: { code: 'SERVICE.UNAVAILABLE' } } });
  });
});
