import {
  ASYNC_SEARCH_CREATE,
  ASYNC_SEARCH_DELETE,
  ASYNC_SEARCH_GET,
  ASYNC_SEARCH_RETRY,
  createAsyncSearchReplySchema,
  deleteAsyncSearchReplySchema,
  getAsyncSearchReplySchema,
  retryAsyncSearchReplySchema,
} from '@pbx/contracts';
import { NatsBus, RemoteError } from '@pbx/service-kit';
import { eventually, parseMail, startTestSmtp, TestSmtp, testNatsUrl } from '@pbx/testing';
import { Client } from 'pg';
import { JOBS_TABLE } from '../src/jobs/job.schema';
import { JobsProjection, rebuildJobsReadModel } from '../src/jobs/job.projection';
import { tableTarget } from './fixtures/test-targets';
import { asConfig, bootInstance, createAsyncSearchDatabase, filesDir, readText, RunningService } from './support';

describe('async search: the 10-job limit (S-4), retry of failed jobs (S-2), mail retries (S-5), read-model rebuild', () => {
  let url: string;
  let service: RunningService;
  let bus: NatsBus;
  let smtp: TestSmtp;

  beforeAll(async () => {
    url = await createAsyncSearchDatabase();
    smtp = await startTestSmtp();
    service = await bootInstance(
      asConfig({
        DATABASE_URL: url,
        ASYNC_SEARCH_FILES_DIR: filesDir(),
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        SWEEP_INTERVAL_MS: '100',
        MAIL_RETRY_BASE_MS: '300',
        POLL_INTERVAL_MS: '100',
      }),
      { targets: tableTarget('as_rows') }, // no such table yet: every run fails until the test creates it
    );
    bus = await NatsBus.connect(testNatsUrl(), 'as-limits');
  });
  afterAll(async () => {
    await bus?.close();
    await service?.close();
    await smtp?.close();
  });

  const create = (login: string, memo = '', email?: string) =>
    bus.request(ASYNC_SEARCH_CREATE, { account: { login, ...(email ? { email } : {}) }, target: 'call-logs', conditions: {}, memo }, createAsyncSearchReplySchema);
  const get = (login: string, id: string) => bus.request(ASYNC_SEARCH_GET, { login, id }, getAsyncSearchReplySchema);
  const settled = (login: string, id: string, status: 'done' | 'failed') =>
    eventually(`job ${id} ${status}`, async () => {
      const v = await get(login, id);
      return v.status === status ? v : undefined;
    }, 20_000, 50);

  it('lets an account hold 10 jobs, even under 12 concurrent registrations; the rest get ASYNC_SEARCH.LIMIT_REACHED naming the limit', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => create('kato', `#${i}`)));
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as RemoteError);
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(2);
    for (const r of refused) expect(r).toMatchObject({ code: 'ASYNC_SEARCH.LIMIT_REACHED', details: { limit: 10 } });
    expect(refused[0].message).toContain('at most 10');
    const [{ n }] = await readText(url, `SELECT count(*)::int AS n FROM ${JOBS_TABLE} WHERE login = 'kato'`);
    expect(n).toBe(10);
    // another account is not affected
    await expect(create('ito')).resolves.toMatchObject({ status: 'pending' });
  });

  it('deleting frees a slot (SPEC S-4)', async () => {
    await expect(create('kato')).rejects.toMatchObject({ code: 'ASYNC_SEARCH.LIMIT_REACHED' });
    const [victim] = await readText(url, `SELECT id FROM ${JOBS_TABLE} WHERE login = 'kato' ORDER BY created_at LIMIT 1`);
    await bus.request(ASYNC_SEARCH_DELETE, { login: 'kato', id: victim.id }, deleteAsyncSearchReplySchema);
    await expect(create('kato', 'after delete')).resolves.toMatchObject({ status: 'pending' });
    await expect(create('kato')).rejects.toMatchObject({ code: 'ASYNC_SEARCH.LIMIT_REACHED' });
  });

  let failedId: string;

  it('a search whose query fails ends failed (異常終了) with the error shown, and nothing is written', async () => {
    failedId = (await create('ito', 'will fail', 'ito@example.jp')).id;
    const v = await settled('ito', failedId, 'failed');
    expect(v.failure).toEqual({ code: 'ASYNC_SEARCH.QUERY_FAILED', message: 'the search query failed (PostgreSQL 42P01)' });
    expect(v.resultKey).toBeUndefined();
    expect(v.finishedAt).not.toBeNull();
  });

  it('retries only failed jobs, only for their account; a retried job runs again to done (SPEC S-2 "failed, retryable")', async () => {
    const retry = (login: string, id: string) => bus.request(ASYNC_SEARCH_RETRY, { login, id }, retryAsyncSearchReplySchema);
    await expect(retry('kato', failedId)).rejects.toMatchObject({ code: 'ASYNC_SEARCH.NOT_FOUND' });
    await expect(retry('ito', 'bad id with spaces')).rejects.toMatchObject({ code: 'ASYNC_SEARCH.NOT_FOUND' });
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.query(`CREATE TABLE as_rows AS SELECT generate_series(1, 2500) AS n`);
    await c.end();
    smtp.refuse(true); // the first mail attempt of this job will be refused
    await expect(retry('ito', failedId)).resolves.toEqual({ id: failedId, status: 'pending' });
    const v = await settled('ito', failedId, 'done');
    expect(v).toMatchObject({ rowCount: 2500, resultKey: `async-search/${failedId}/2.csv` });
    expect(v.failure).toBeUndefined();
    await expect(retry('ito', failedId)).rejects.toMatchObject({ code: 'ASYNC_SEARCH.NOT_RETRYABLE', details: { status: 'done' } });
  });

  it('a refused mail is recorded and sent again by the sweep once the server accepts: exactly one mail (SPEC S-5)', async () => {
    const failures = await eventually('the refused send recorded', async () => {
      const r = await readText(url, `SELECT message_data FROM emt_messages WHERE stream_id = $1 AND message_type = 'SearchJobNotificationFailed'`, [`search-job-${failedId}`]);
      return r.length > 0 ? r : undefined;
    });
    expect(failures[0].message_data).toMatchObject({ to: 'ito@example.jp', failures: 1, final: false });
    expect(smtp.mails).toHaveLength(0);
    smtp.refuse(false);
    await eventually('the mail sent by the sweep', () => smtp.mails.length > 0);
    await eventually('SearchJobNotified', async () => (await readText(url, `SELECT 1 FROM emt_messages WHERE stream_id = $1 AND message_type = 'SearchJobNotified'`, [`search-job-${failedId}`])).length === 1);
    expect(smtp.mails).toHaveLength(1);
    expect(parseMail(smtp.mails[0].raw).subject).toBe('BIZTEL:非同期履歴検索通知');
  });

  it('the read model rebuilt from the log equals the live one, row for row, twice over', async () => {
    const rows = () => readText(url, `SELECT id, login, status, target, created_at, lease_until, notification, version::text, state FROM ${JOBS_TABLE} ORDER BY id`);
    await eventually('the projection caught up', async () => (await readText(url, `SELECT count(*)::int AS n FROM emt_messages m JOIN pbx_consumer_checkpoints c ON c.consumer_name = 'async-search-jobs' WHERE (m.transaction_id, m.global_position) > (c.transaction_id, c.global_position)`))[0].n === 0);
    const live = await rows();
    expect(live.length).toBe(13); // 10 + 1 deleted (tombstone) + 1 after delete + ito's
    for (let round = 1; round <= 2; round++) {
      // damage the live table first, so only a replay from the log can bring it back
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(`DELETE FROM ${JOBS_TABLE} WHERE id IN (SELECT id FROM ${JOBS_TABLE} ORDER BY id LIMIT 2)`);
      await c.query(`UPDATE ${JOBS_TABLE} SET state = jsonb_set(state, '{memo}', '"damaged"'), version = version + 100`);
      await c.end();
      // round 1 from inside the service, round 2 as src/rebuild.ts does it from outside
      if (round === 1) await service.app.get(JobsProjection).rebuild();
      else expect(await rebuildJobsReadModel(url)).toEqual({ restarted: 1 });
      const rebuilt = await eventually(`rebuild ${round}`, async () => {
        const now = await rows();
        return now.length === live.length && now.every((r) => r.version === live.find((l) => l.id === r.id)?.version) ? now : undefined;
      }, 15_000);
      expect(rebuilt).toEqual(live);
    }
  });
});
