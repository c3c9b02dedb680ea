import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ASYNC_SEARCH_CREATE, ASYNC_SEARCH_GET, createAsyncSearchReplySchema, getAsyncSearchReplySchema } from '@pbx/contracts';
import { LocalFileStore } from '@pbx/file-store';
import { NatsBus } from '@pbx/service-kit';
import { eventually, ManagedProcess, startProcess, testNatsUrl } from '@pbx/testing';
import { seriesTarget } from './fixtures/test-targets';
import { asConfig, bootInstance, createAsyncSearchDatabase, filesDir, readText, repoRoot, RunningService } from './support';

// "A worker killed mid-job leaves the job resumable or visibly failed, never stuck in processing."
// The worker is a whole instance in a child process; the test SIGKILLs it while it streams rows.
describe('a worker SIGKILLed mid-job (SPEC S-2: never stuck in processing)', () => {
  const ROWS = 3_000;
  const LEASE_MS = 2_000;
  let url: string;
  let dir: string;
  let bus: NatsBus;
  let child: ManagedProcess | undefined;
  let service: RunningService | undefined;

  beforeAll(async () => {
    url = await createAsyncSearchDatabase();
    dir = filesDir();
    bus = await NatsBus.connect(testNatsUrl(), 'as-crash');
  });
  afterEach(async () => {
    await child?.stop();
    await service?.close();
    child = service = undefined;
  });
  afterAll(() => bus?.close());

  const env = () => ({ DATABASE_URL: url, ASYNC_SEARCH_FILES_DIR: dir, LEASE_MS: String(LEASE_MS), HEARTBEAT_MS: '400', SWEEP_INTERVAL_MS: '100', POLL_INTERVAL_MS: '100' });
  const get = (id: string) => bus.request(ASYNC_SEARCH_GET, { login: 'sato', id }, getAsyncSearchReplySchema);
  const events = (id: string) =>
    readText(url, `SELECT message_type AS type, message_data AS data FROM emt_messages WHERE stream_id = $1 ORDER BY stream_position`, [`search-job-${id}`]) as Promise<{ type: string; data: Record<string, unknown> }[]>;

  /** Starts the child worker, registers a job through it, and kills it once it has written some rows. */
  async function killMidJob(): Promise<{ id: string; rowsAtKill: number }> {
    const proc = startProcess('as-worker', process.execPath, ['--require', join(repoRoot, 'tools/run-ts.cjs'), join(__dirname, 'fixtures/worker-child.ts')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...env(),
        NATS_URL: testNatsUrl(),
        WORKER_CONCURRENCY: '1',
        FETCH_SIZE: '50',
        PROGRESS_EVERY_ROWS: '100',
        SERIES_ROWS: String(ROWS),
        SERIES_SLEEP_MS: '3', // ~9 s for the whole search: plenty of time to kill it halfway
        WORKER_NAME: 'doomed-worker',
      },
    });
    child = proc;
    let out = '';
    proc.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[worker-child] ${d.toString()}`));
    await eventually('the child instance up', () => out.includes('READY'), 30_000);
    const { id } = await bus.request(ASYNC_SEARCH_CREATE, { account: { login: 'sato' }, target: 'call-logs', conditions: {}, memo: 'crash' }, createAsyncSearchReplySchema, { timeoutMs: 10_000 });
    const running = await eventually('the child streaming rows', async () => {
      const v = await get(id);
      return v.status === 'processing' && v.progress.rows >= 300 ? v : undefined;
    }, 20_000, 50);
    proc.child.kill('SIGKILL');
    await eventually('the child gone', () => proc.child.signalCode === 'SIGKILL');
    expect(running.progress.percent).toBeGreaterThan(0);
    expect(running.progress.percent).toBeLessThan(100);
    return { id, rowsAtKill: running.progress.rows };
  }

  it('the sweep returns the job to pending once the lease lapses; another worker runs it again to a complete file', async () => {
    const { id, rowsAtKill } = await killMidJob();
    const [row] = await readText(url, `SELECT status FROM async_search_job WHERE id = $1`, [id]);
    expect(row.status).toBe('processing'); // nobody has noticed yet
    expect(await readdir(join(dir, '.tmp'))).toHaveLength(1); // the dead writer's partial file, never published

    service = await bootInstance(asConfig({ ...env(), WORKER_CONCURRENCY: '1', MAX_ATTEMPTS: '3' }), { targets: seriesTarget(ROWS, 0), workerId: 'rescuer' });
    const done = await eventually('the job done by the second worker', async () => {
      const v = await get(id);
      return v.status === 'done' ? v : undefined;
    }, 30_000, 50);
    expect(done).toMatchObject({ rowCount: ROWS, resultKey: `async-search/${id}/2.csv` });

    const log = await events(id);
    const types = log.map((e) => e.type).filter((t) => t !== 'SearchJobProgressed');
    expect(types).toEqual(['SearchJobRegistered', 'SearchJobStarted', 'SearchJobLeaseExpired', 'SearchJobStarted', 'SearchJobCompleted']);
    const [first, second] = log.filter((e) => e.type === 'SearchJobStarted');
    expect(first.data).toMatchObject({ attempt: 1, workerId: 'doomed-worker' });
    expect(second.data).toMatchObject({ attempt: 2, workerId: 'rescuer' });
    const expired = log.find((e) => e.type === 'SearchJobLeaseExpired')!;
    expect(expired.data).toMatchObject({ attempt: 1, workerId: 'doomed-worker' });
    expect(expired.data.rows as number).toBeGreaterThanOrEqual(rowsAtKill);
    expect(Date.parse(expired.data.at as string) - Date.parse(expired.data.leaseUntil as string)).toBeLessThan(LEASE_MS + 2_000);

    // the complete file, every row once, in order; nothing was ever published under attempt 1
    const chunks: Buffer[] = [];
    for await (const c of await new LocalFileStore(dir).openReadStream(done.resultKey!)) chunks.push(c as Buffer);
    const lines = Buffer.concat(chunks).toString('utf8').slice(1).split('\r\n').slice(1, -1);
    expect(lines).toHaveLength(ROWS);
    expect(lines.every((l, i) => l === `${i + 1},row ${i + 1}`)).toBe(true);
    expect(await new LocalFileStore(dir).stat(`async-search/${id}/1.csv`)).toBeUndefined();
  });

  it('after MAX_ATTEMPTS lost workers the job fails visibly with ASYNC_SEARCH.WORKER_LOST (retryable)', async () => {
    const { id } = await killMidJob();
    service = await bootInstance(asConfig({ ...env(), WORKER_CONCURRENCY: '0', MAX_ATTEMPTS: '1' }));
    const failed = await eventually('the job failed', async () => {
      const v = await get(id);
      return v.status === 'failed' ? v : undefined;
    }, 20_000, 50);
    expect(failed.failure?.code).toBe('ASYNC_SEARCH.WORKER_LOST');
    expect(failed.failure?.message).toMatch(/lost 1 time\(s\) in a row.*retry to run it again/);
    expect((await events(id)).slice(-2).map((e) => e.type)).toEqual(['SearchJobLeaseExpired', 'SearchJobFailed']);
  });
});
