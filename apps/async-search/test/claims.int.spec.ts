import { ASYNC_SEARCH_CREATE, ASYNC_SEARCH_GET, createAsyncSearchReplySchema, getAsyncSearchReplySchema } from '@pbx/contracts';
import { createEventStore, EventStore } from '@pbx/event-store';
import { NatsBus } from '@pbx/service-kit';
import { eventually, testNatsUrl } from '@pbx/testing';
import { Pool } from 'pg';
import { JobReadModel } from '../src/jobs/job.read-model';
import { JobRepository } from '../src/jobs/job.repository';
import { seriesTarget } from './fixtures/test-targets';
import { asConfig, bootInstance, createAsyncSearchDatabase, filesDir, readText, RunningService } from './support';

// "A job is never processed by two workers at once": the claim is an append at the version read.
describe('claiming jobs (a job is never processed by two workers at once)', () => {
  let url: string;

  beforeAll(async () => {
    url = await createAsyncSearchDatabase();
  });

  it('of 8 workers claiming one pending job at the same moment, exactly one gets it', async () => {
    const stores: EventStore[] = [];
    const pools: Pool[] = [];
    const repo = () => {
      const store = createEventStore({ connectionString: url, poolSize: 1 });
      const pool = new Pool({ connectionString: url, max: 2 });
      stores.push(store);
      pools.push(pool);
      return new JobRepository(store, pool, new JobReadModel(pool));
    };
    try {
      const repos = Array.from({ length: 8 }, repo);
      await repos[0].register({ type: 'RegisterSearchJob', jobId: 'race-1', owner: { login: 'sato' }, target: 'call-logs', conditions: {}, memo: '', now: Date.now() }, 'race-1');
      const claims = await Promise.allSettled(repos.map((r, i) => r.execute('race-1', { type: 'StartSearchJob', workerId: `w-${i}`, leaseMs: 30_000, now: Date.now() }, 'race-1')));
      const won = claims.filter((c) => c.status === 'fulfilled');
      const lost = claims.filter((c): c is PromiseRejectedResult => c.status === 'rejected');
      expect(won).toHaveLength(1);
      for (const l of lost) expect(l.reason).toMatchObject({ code: 'ASYNC_SEARCH.NOT_PENDING' });
      const started = await readText(url, `SELECT message_data FROM emt_messages WHERE stream_id = 'search-job-race-1' AND message_type = 'SearchJobStarted'`);
      expect(started).toHaveLength(1);
      const [row] = await readText(url, `SELECT status, state->'run'->>'workerId' AS worker FROM async_search_job WHERE id = 'race-1'`);
      expect(row).toEqual({ status: 'processing', worker: (started[0].message_data as { workerId: string }).workerId });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('two instances (a queue group, polling too) run 8 jobs: each started exactly once, all done', async () => {
    const dir = filesDir();
    const env = { DATABASE_URL: url, ASYNC_SEARCH_FILES_DIR: dir, WORKER_CONCURRENCY: '2', POLL_INTERVAL_MS: '50', FETCH_SIZE: '20' };
    const instances: RunningService[] = [];
    const bus = await NatsBus.connect(testNatsUrl(), 'as-claims');
    try {
      instances.push(await bootInstance(asConfig(env), { targets: seriesTarget(200, 1), workerId: 'A' }));
      instances.push(await bootInstance(asConfig(env), { targets: seriesTarget(200, 1), workerId: 'B' }));
      const ids = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => (await bus.request(ASYNC_SEARCH_CREATE, { account: { login: `user${i}` }, target: 'call-logs', conditions: {}, memo: '' }, createAsyncSearchReplySchema)).id),
      );
      await eventually('all 8 done', async () => {
        const views = await Promise.all(ids.map((id, i) => bus.request(ASYNC_SEARCH_GET, { login: `user${i}`, id }, getAsyncSearchReplySchema)));
        return views.every((v) => v.status === 'done' && v.rowCount === 200);
      }, 30_000, 100);
      const starts = await readText(
        url,
        `SELECT stream_id, count(*)::int AS n FROM emt_messages WHERE stream_id = ANY($1) AND message_type = 'SearchJobStarted' GROUP BY stream_id`,
        [ids.map((id) => `search-job-${id}`)],
      );
      expect(starts).toHaveLength(8);
      expect(starts.every((s) => s.n === 1)).toBe(true);
      const lost = await readText(url, `SELECT 1 FROM emt_messages WHERE stream_id = ANY($1) AND message_type IN ('SearchJobLeaseExpired', 'SearchJobFailed')`, [ids.map((id) => `search-job-${id}`)]);
      expect(lost).toHaveLength(0);
    } finally {
      await bus.close();
      await Promise.all(instances.map((s) => s.close()));
    }
  });
});
