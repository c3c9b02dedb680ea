// Shared bits of the event-store benchmarks (bench/event-store-*.bench.ts): throwaway infra,
// percentiles, a seeded PRNG, progress lines.
import { loadavg } from 'node:os';
import { migrateEventStore } from '@pbx/event-store';
import { ensureDatabase, startTestInfra, TestInfra } from '@pbx/testing';

export interface BenchInfra {
  infra: TestInfra;
  url: string;
  stop(): Promise<void>;
}

/** PostgreSQL (fsync off, as the test harness runs it) + nats-server in a temp folder, one database migrated. */
export async function startBenchInfra(database: string): Promise<BenchInfra> {
  const t0 = Date.now();
  const infra = await startTestInfra({ rtpengine: false });
  const url = await ensureDatabase(infra.postgres.adminUrl, database);
  await migrateEventStore(url);
  log(`infra ready in ${Date.now() - t0} ms: postgres :${infra.postgres.port}, ${infra.nats.url} (${infra.dir})`);
  const stop = async () => {
    await infra.stop();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  return { infra, url, stop };
}

export const log = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 23)}] ${line}`);

export function machine(): string {
  const [l1] = loadavg();
  return `node ${process.version}, load average ${l1.toFixed(1)} at start`;
}

export const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** mulberry32: the same "random" batch sizes on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Prints `label` with a rate every second until stopped. */
export function progress(label: string, count: () => number): () => void {
  const t0 = performance.now();
  let last = 0;
  let lastT = t0;
  const timer = setInterval(() => {
    const now = performance.now();
    const n = count();
    log(`${label}: ${fmt(n)} (${fmt(((n - last) * 1000) / (now - lastT))}/s now, ${fmt((n * 1000) / (now - t0))}/s overall)`);
    last = n;
    lastT = now;
  }, 1000);
  return () => clearInterval(timer);
}

/** Runs a bench's main and exits: 0 when it finished, 1 with the error printed when it failed. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
