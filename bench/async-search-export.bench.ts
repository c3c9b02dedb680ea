// Async search export (SPEC S-3; issue 5 "Figures to reach"): CSV export of 1,000,000 call-log
// rows by the async-search worker — rows/s (target ≥ 100,000/s), the worker's RSS (≤ 250 MB),
// and the ratio to `psql \copy (same query) to file` in the same run.
//
// The worker is the real service in its own process (compiled like the build, into tmp/, so no
// compiler sits in its memory), driven over NATS like the gateway does: create → poll get → done.
// Rows/s is the job's own startedAt → finishedAt (claim to SearchJobCompleted: count, cursor,
// CSV, fsync + rename). RSS is the process's peak (VmHWM) and its idle size after boot.
//
// Run: node --require ./tools/run-ts.cjs bench/async-search-export.bench.ts [rows=1000000] [fetchSizes=5000]
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { transformFile } from '@swc/core';
import { Client } from 'pg';
import { ASYNC_SEARCH_CREATE, ASYNC_SEARCH_GET, createAsyncSearchReplySchema, getAsyncSearchReplySchema } from '@pbx/contracts';
import { migrateReadModels } from '@pbx/read-models';
import { NatsBus } from '@pbx/service-kit';
import { postgresBinDir, startProcess, waitFor } from '@pbx/testing';
import { callLogsTarget } from '../apps/async-search/src/export/export-target';
import { migrateAsyncSearch } from '../apps/async-search/src/jobs/job.schema';
import { fmt, log, machine, runBench, startBenchInfra } from './support';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const FETCH_SIZES = (process.argv[3] ?? '5000').split(',').map(Number);
const root = join(__dirname, '..');
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { swcOptions } = require('../tools/swc-options.cjs') as { swcOptions: (extra?: object) => object };

/** Compiles apps/async-search and the libraries to tmp/bench-async-search (same layout and options as tools/build). */
async function compileWorker(): Promise<string> {
  const out = join(root, 'tmp/bench-async-search');
  rmSync(out, { recursive: true, force: true });
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'test') walk(p);
      } else if (p.includes('/src/') && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  walk(join(root, 'libs'));
  walk(join(root, 'apps/async-search'));
  await Promise.all(
    files.map(async (file) => {
      const { code } = await transformFile(file, { ...swcOptions({ baseUrl: root, paths: compilerOptions.paths }), sourceMaps: false });
      const dest = join(out, relative(root, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, code);
    }),
  );
  return join(out, 'apps/async-search/src/main.js');
}

async function seed(url: string, n: number): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO call_log (call_id, request_id, origin_leg_id, started_at, answered_at, ended_at, duration_seconds, direction, federation,
                             presented_caller, callee, answered_by, answered_by_leg_id, result, trunk_id, did)
       SELECT 'call-' || lpad(g::text, 8, '0'), 'req-' || md5(g::text), 'leg-' || g,
              timestamptz '2025-04-01' - make_interval(secs => g * 3),
              CASE WHEN g % 4 <> 0 THEN timestamptz '2025-04-01' - make_interval(secs => g * 3) + interval '4 seconds' END,
              timestamptz '2025-04-01' - make_interval(secs => g * 3) + interval '94 seconds',
              CASE WHEN g % 4 <> 0 THEN 90 ELSE 0 END,
              (ARRAY['incoming', 'outgoing', 'internal'])[1 + g % 3], g % 50 = 0,
              CASE WHEN g % 997 = 0 THEN '+81312345678' ELSE '090' || lpad((g % 100000000)::text, 8, '0') END,
              CASE WHEN g % 3 = 2 THEN lpad((1000 + g % 900)::text, 4, '0') ELSE '03' || lpad((g % 100000000)::text, 8, '0') END,
              CASE WHEN g % 4 <> 0 THEN lpad((1000 + g % 900)::text, 4, '0') END, CASE WHEN g % 4 <> 0 THEN 'leg-b-' || g END,
              CASE WHEN g % 4 <> 0 THEN 'answered' ELSE 'no-answer' END,
              CASE WHEN g % 3 = 0 THEN 'carrier-a' END, CASE WHEN g % 3 = 0 THEN '0312345678' END
         FROM generate_series(1, $1::int) AS g`,
      [n],
    );
    await c.query('ANALYZE call_log');
  } finally {
    await c.end();
  }
}

function rssOf(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function main(): Promise<void> {
  log(`async search export of ${fmt(ROWS)} call-log rows; FETCH sizes ${FETCH_SIZES.join(', ')}; ${machine()}`);
  const { infra, url, stop } = await startBenchInfra('bench_async_search');
  const filesDir = join(infra.dir, 'files');
  const results: string[] = [];
  try {
    await migrateReadModels(url);
    await migrateAsyncSearch(url);
    let t = performance.now();
    await seed(url, ROWS);
    log(`seeded ${fmt(ROWS)} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const main = await compileWorker();
    const bus = await NatsBus.connect(infra.nats.url, 'bench-async-search');

    // psql \copy of the same query (the worker's statement with no conditions: every row, newest first)
    const { rows: stmt } = callLogsTarget.statements({}, undefined);
    const psql = join(postgresBinDir(), 'psql');
    const copyFile = join(infra.dir, 'psql-copy.csv');
    const copy = async () => {
      const t0 = performance.now();
      await promisify(execFile)(psql, ['-X', '-q', '-d', url, '-c', `\\copy (${stmt.text}) TO '${copyFile}' WITH (FORMAT csv, HEADER)`], { maxBuffer: 1 << 20 });
      return (performance.now() - t0) / 1000;
    };
    await copy(); // warm the cache the same way for both
    const copies: number[] = [];
    const timedCopy = async () => {
      const seconds = await copy();
      copies.push(seconds);
      log(`psql \\copy: ${fmt(ROWS / seconds)} rows/s (${seconds.toFixed(2)} s, ${fmt(statSync(copyFile).size / 1e6)} MB)`);
      return seconds;
    };

    for (const fetchSize of FETCH_SIZES) {
      // psql right before and right after each export: the machine's load moves (other agents)
      const before = await timedCopy();
      const proc = startProcess('async-search', process.execPath, [main], {
        cwd: root,
        env: {
          ...process.env,
          NATS_URL: infra.nats.url,
          DATABASE_URL: url,
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: '0',
          LOG_LEVEL: 'warn',
          MIGRATE_ON_BOOT: 'false',
          ASYNC_SEARCH_FILES_DIR: filesDir,
          WORKER_CONCURRENCY: '1',
          FETCH_SIZE: String(fetchSize),
        },
      });
      proc.child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[worker] ${d.toString()}`));
      proc.child.stdout?.on('data', (d: Buffer) => process.stdout.write(`[worker] ${d.toString()}`));
      const pid = proc.child.pid!;
      await waitFor('the worker answering NATS', async () => {
        await bus.request(ASYNC_SEARCH_GET, { login: 'bench', id: 'none' }, getAsyncSearchReplySchema).catch((e: { code?: string }) => {
          if (e.code !== 'ASYNC_SEARCH.NOT_FOUND') throw e;
        });
        return true;
      }, 30_000, proc);
      await new Promise((r) => setTimeout(r, 500));
      const idle = rssOf(pid);
      t = performance.now();
      const { id } = await bus.request(ASYNC_SEARCH_CREATE, { account: { login: 'bench' }, target: 'call-logs', conditions: {}, memo: `fetch ${fetchSize}` }, createAsyncSearchReplySchema);
      let peakRss = idle.rss;
      let view = await bus.request(ASYNC_SEARCH_GET, { login: 'bench', id }, getAsyncSearchReplySchema);
      let lastLog = 0;
      while (view.status !== 'done' && view.status !== 'failed') {
        await new Promise((r) => setTimeout(r, 100));
        peakRss = Math.max(peakRss, rssOf(pid).rss);
        view = await bus.request(ASYNC_SEARCH_GET, { login: 'bench', id }, getAsyncSearchReplySchema);
        if (performance.now() - lastLog > 1000) {
          lastLog = performance.now();
          log(`  ${view.status}: ${fmt(view.progress.rows)} rows (${view.progress.percent ?? '?'}%), RSS ${peakRss.toFixed(0)} MB`);
        }
      }
      const wall = (performance.now() - t) / 1000;
      const { hwm } = rssOf(pid);
      await proc.stop();
      if (view.status !== 'done') throw new Error(`the job failed: ${JSON.stringify(view.failure)}`);
      const copySeconds = (before + (await timedCopy())) / 2;
      const seconds = (Date.parse(view.finishedAt!) - Date.parse(view.startedAt!)) / 1000;
      const bytes = statSync(join(filesDir, view.resultKey!)).size;
      results.push(
        `FETCH ${String(fetchSize).padStart(6)}: ${fmt(view.rowCount / seconds).padStart(9)} rows/s (${fmt(view.rowCount)} rows in ${seconds.toFixed(2)} s, ${fmt(bytes / 1e6)} MB; ` +
          `create → done ${wall.toFixed(2)} s); worker RSS peak ${hwm.toFixed(0)} MB (idle ${idle.rss.toFixed(0)} MB); ` +
          `${(seconds / copySeconds).toFixed(2)}× the time of psql \\copy (${fmt(ROWS / copySeconds)} rows/s around it)`,
      );
      log(results[results.length - 1]);
    }
    await bus.close();
    console.log(`\nresults (${machine().replace(' at start', ' at the end')})`);
    const sorted = [...copies].sort((a, b) => a - b);
    console.log(`psql \\copy (same query, CSV, header), ${copies.length} runs: ${fmt(ROWS / sorted[sorted.length - 1])}–${fmt(ROWS / sorted[0])} rows/s`);
    for (const r of results) console.log(`async search, ${r}`);
  } finally {
    rmSync(join(root, 'tmp/bench-async-search'), { recursive: true, force: true });
    await stop();
  }
}

runBench(main);
