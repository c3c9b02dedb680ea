import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ASYNC_SEARCH_CREATE, ASYNC_SEARCH_DELETE, ASYNC_SEARCH_GET, createAsyncSearchReplySchema, deleteAsyncSearchReplySchema, getAsyncSearchReplySchema } from '@pbx/contracts';
import { NatsBus } from '@pbx/service-kit';
import { eventually, testNatsUrl } from '@pbx/testing';
import { SearchWorker } from '../src/worker/search.worker';
import { seriesTarget } from './fixtures/test-targets';
import { asConfig, bootInstance, createAsyncSearchDatabase, filesDir, readText, RunningService } from './support';

// A run that is interrupted on purpose: the job is deleted under it, or its instance shuts down.
describe('interrupted runs', () => {
  let url: string;
  let dir: string;
  let bus: NatsBus;
  let service: RunningService | undefined;

  beforeAll(async () => {
    url = await createAsyncSearchDatabase();
    dir = filesDir();
    bus = await NatsBus.connect(testNatsUrl(), 'as-interrupt');
  });
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });
  afterAll(() => bus?.close());

  const env = () => ({ DATABASE_URL: url, ASYNC_SEARCH_FILES_DIR: dir, WORKER_CONCURRENCY: '1', FETCH_SIZE: '20', PROGRESS_EVERY_ROWS: '40', HEARTBEAT_MS: '200', LEASE_MS: '5000' });
  const types = async (id: string) =>
    (await readText(url, `SELECT message_type AS t FROM emt_messages WHERE stream_id = $1 ORDER BY stream_position`, [`search-job-${id}`])).map((r) => r.t as string).filter((t) => t !== 'SearchJobProgressed');
  const processing = (id: string) =>
    eventually('the job streaming rows', async () => {
      const v = await bus.request(ASYNC_SEARCH_GET, { login: 'sato', id }, getAsyncSearchReplySchema);
      return v.status === 'processing' && v.progress.rows > 0 ? v : undefined;
    }, 15_000, 20);

  it('deleting a running job stops its worker: no file is published and the partial one is thrown away (SPEC S-4)', async () => {
    service = await bootInstance(asConfig(env()), { targets: seriesTarget(2_000, 2) });
    const { id } = await bus.request(ASYNC_SEARCH_CREATE, { account: { login: 'sato' }, target: 'call-logs', conditions: {}, memo: '' }, createAsyncSearchReplySchema);
    await processing(id);
    await bus.request(ASYNC_SEARCH_DELETE, { login: 'sato', id }, deleteAsyncSearchReplySchema);
    const worker = service.app.get(SearchWorker);
    await eventually('the worker let go', async () => worker.busy === 0 && (await readdir(join(dir, '.tmp'))).length === 0, 10_000);
    expect(await types(id)).toEqual(['SearchJobRegistered', 'SearchJobStarted', 'SearchJobDeleted']);
    expect(await readdir(join(dir, 'async-search', id)).catch(() => [])).toEqual([]);
  });

  it('an instance shutting down releases its run back to pending; another instance finishes it', async () => {
    service = await bootInstance(asConfig(env()), { targets: seriesTarget(2_000, 2), workerId: 'leaving' });
    const { id } = await bus.request(ASYNC_SEARCH_CREATE, { account: { login: 'sato' }, target: 'call-logs', conditions: {}, memo: '' }, createAsyncSearchReplySchema);
    await processing(id);
    await service.close();
    const [row] = await readText(url, `SELECT status FROM async_search_job WHERE id = $1`, [id]);
    expect(row.status).toBe('pending');
    expect(await types(id)).toEqual(['SearchJobRegistered', 'SearchJobStarted', 'SearchJobReleased']);
    service = await bootInstance(asConfig(env()), { targets: seriesTarget(2_000, 0), workerId: 'staying' });
    const done = await eventually('done by the other instance', async () => {
      const v = await bus.request(ASYNC_SEARCH_GET, { login: 'sato', id }, getAsyncSearchReplySchema);
      return v.status === 'done' ? v : undefined;
    }, 15_000, 50);
    expect(done).toMatchObject({ rowCount: 2_000, resultKey: `async-search/${id}/2.csv` });
    expect(await types(id)).toEqual(['SearchJobRegistered', 'SearchJobStarted', 'SearchJobReleased', 'SearchJobStarted', 'SearchJobCompleted']);
  });
});
