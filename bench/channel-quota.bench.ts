// channel-quota: reserve+release round trips over NATS against two replicas (child processes,
// as deployed), on a throwaway nats-server and PostgreSQL. Prints figures; never fails on timing
// (STYLE.md). Run: node --require ./tools/run-ts.cjs bench/channel-quota.bench.ts
//   BENCH_RATE=500 (pairs/s)  BENCH_SECONDS=20  BENCH_REPLICAS=2  BENCH_LIMIT=10
//   Phase 1 "round trip": reserve, then release as soon as the grant arrives.
//   Phase 2 "at the limit": each leg holds its channel BENCH_HOLD_MS (default 20 ms) first, so
//   ~10 legs compete for 10 channels and many reserves are refused: the oversubscription check.
// Oversubscription is counted from the store itself: the stored history is replayed and every
// moment with more channels held than the limit is counted (also sampled live from the usage query).

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNEL_QUOTA_RELEASE, CHANNEL_QUOTA_RESERVE, CHANNEL_QUOTA_USAGE, releaseChannelReplySchema, reserveChannelReplySchema, usageReplySchema } from '@pbx/contracts';
import { ChannelPoolEvent } from '@pbx/domain-channel';
import { createEventStore, migrateEventStore, streamName } from '@pbx/event-store';
import { NatsBus, RemoteError } from '@pbx/service-kit';
import { ensureDatabase, freePort, ManagedProcess, startProcess, startTestInfra } from '@pbx/testing';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 2);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 10);
const HOLD_MS = Number(process.env.BENCH_HOLD_MS ?? 20);
const SERVER_ID = 'bench-1';
const root = join(__dirname, '..');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hr = () => Number(process.hrtime.bigint()) / 1e6;

function pct(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const f = (ms: number) => ms.toFixed(2).padStart(7);

interface PhaseResult {
  pairs: number;
  granted: number;
  exceeded: number;
  errors: number;
  pair: number[];
  reserve: number[];
  release: number[];
  lateStarts: number;
  maxLiveHeld: number;
}

async function phase(bus: NatsBus, name: string, seconds: number, holdMs: number, prefix: string): Promise<PhaseResult> {
  const r: PhaseResult = { pairs: 0, granted: 0, exceeded: 0, errors: 0, pair: [], reserve: [], release: [], lateStarts: 0, maxLiveHeld: 0 };
  const intervalMs = 1000 / RATE;
  const inFlight = new Set<Promise<void>>();
  let window: number[] = [];
  let windowExceeded = 0;
  console.log(`\n== ${name}: ${RATE} pairs/s for ${seconds} s, hold ${holdMs} ms, limit ${LIMIT}, ${REPLICAS} replica(s)`);

  const onePair = async (i: number): Promise<void> => {
    const legId = `${prefix}-${i}`;
    const t0 = hr();
    try {
      await bus.request(CHANNEL_QUOTA_RESERVE, { legId, callId: `call-${legId}`, requestId: `req-${legId}`, direction: 'outbound', farEnd: { kind: 'trunk', trunkId: 'carrier-a' }, leaseMs: 30_000 }, reserveChannelReplySchema, { timeoutMs: 5_000 });
    } catch (e) {
      if (e instanceof RemoteError && e.code === 'QUOTA.EXCEEDED') {
        r.exceeded++;
        windowExceeded++;
        r.reserve.push(hr() - t0);
      } else {
        r.errors++;
        if (r.errors <= 5) console.log(`  reserve ${legId} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      return;
    }
    const t1 = hr();
    r.granted++;
    if (holdMs > 0) await sleep(holdMs);
    const t2 = hr();
    try {
      await bus.request(CHANNEL_QUOTA_RELEASE, { legId, reason: 'bye' }, releaseChannelReplySchema, { timeoutMs: 5_000 });
    } catch (e) {
      r.errors++;
      if (r.errors <= 5) console.log(`  release ${legId} failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const t3 = hr();
    r.reserve.push(t1 - t0);
    r.release.push(t3 - t2);
    r.pair.push(t1 - t0 + (t3 - t2));
    window.push(t1 - t0 + (t3 - t2));
  };

  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const u = await bus.request(CHANNEL_QUOTA_USAGE, {}, usageReplySchema).catch(() => undefined);
      if (u) r.maxLiveHeld = Math.max(r.maxLiveHeld, u.pools.channel.held);
      await sleep(25);
    }
  })();

  const start = hr();
  let lastReport = start;
  for (let i = 0; ; i++) {
    const due = start + i * intervalMs;
    if (due - start >= seconds * 1000) break;
    const wait = due - hr();
    if (wait > 1) await sleep(wait);
    if (hr() - due > 5) r.lateStarts++;
    const p = onePair(i).finally(() => inFlight.delete(p));
    inFlight.add(p);
    r.pairs++;
    if (hr() - lastReport >= 1000) {
      window.sort((a, b) => a - b);
      console.log(`  t=${((hr() - start) / 1000).toFixed(0).padStart(3)} s  pairs ${String(r.pairs).padStart(6)}  last second: p50 ${f(pct(window, 50))} ms  p99 ${f(pct(window, 99))} ms  refused ${windowExceeded}  in flight ${inFlight.size}`);
      window = [];
      windowExceeded = 0;
      lastReport = hr();
    }
  }
  await Promise.all(inFlight);
  sampling = false;
  await sampler;
  return r;
}

function report(name: string, r: PhaseResult): void {
  const pair = [...r.pair].sort((a, b) => a - b);
  const res = [...r.reserve].sort((a, b) => a - b);
  const rel = [...r.release].sort((a, b) => a - b);
  console.log(`-- ${name}: ${r.pairs} pairs, ${r.granted} granted, ${r.exceeded} refused (QUOTA.EXCEEDED), ${r.errors} errors, ${r.lateStarts} late starts (> 5 ms behind schedule)`);
  console.log(`   reserve+release   p50 ${f(pct(pair, 50))}  p90 ${f(pct(pair, 90))}  p99 ${f(pct(pair, 99))}  p99.9 ${f(pct(pair, 99.9))}  max ${f(pair[pair.length - 1] ?? NaN)} ms`);
  console.log(`   reserve alone     p50 ${f(pct(res, 50))}  p90 ${f(pct(res, 90))}  p99 ${f(pct(res, 99))}  p99.9 ${f(pct(res, 99.9))}  max ${f(res[res.length - 1] ?? NaN)} ms`);
  console.log(`   release alone     p50 ${f(pct(rel, 50))}  p90 ${f(pct(rel, 90))}  p99 ${f(pct(rel, 99))}  p99.9 ${f(pct(rel, 99.9))}  max ${f(rel[rel.length - 1] ?? NaN)} ms`);
  console.log(`   most channels held in a live usage sample: ${r.maxLiveHeld} (limit ${LIMIT})`);
}

/** Replays every stored pool event: how often, and by how much, the held count passed the limit. */
async function replay(databaseUrl: string): Promise<{ events: number; streams: number; peak: number; overLimitMoments: number; appendsPerEpoch: number[] }> {
  const store = createEventStore({ connectionString: databaseUrl, poolSize: 1 });
  const held = new Set<string>();
  let peak = 0;
  let over = 0;
  let events = 0;
  const sizes: number[] = [];
  try {
    for (let epoch = 1; ; epoch++) {
      const r = await store.readStream<ChannelPoolEvent>(streamName('channel-pool', `${SERVER_ID}_e${epoch}`));
      if (r.version === 0n) break;
      sizes.push(r.events.length);
      for (const e of r.events) {
        events++;
        if (e.type === 'ChannelReserved') held.add(e.data.legId);
        if (e.type === 'ChannelReleased' || e.type === 'ChannelLeaseExpired') held.delete(e.data.legId);
        if (held.size > LIMIT) over++;
        peak = Math.max(peak, held.size);
      }
    }
  } finally {
    await store.close();
  }
  return { events, streams: sizes.length, peak, overLimitMoments: over, appendsPerEpoch: sizes };
}

/** CPU seconds a process (and, for PostgreSQL's postmaster, its backends) has used so far, from /proc. */
function cpuSeconds(pid: number | undefined, withChildren = false): number {
  if (pid === undefined) return 0;
  const ticks = 100; // USER_HZ on Linux
  const fields = (p: number | string): string[] | undefined => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
    } catch {
      return undefined;
    }
  };
  const own = fields(pid);
  if (!own) return 0;
  let total = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]); // utime stime cutime cstime
  if (withChildren) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const f = fields(entry);
      if (f && Number(f[1]) === pid) total += Number(f[11]) + Number(f[12]);
    }
  }
  return total / ticks;
}

/** The writer's own figures from a replica's /metrics (group commit, append time, conflicts). */
async function writerFigures(port: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return line ? Number(line.trim().split(/\s+/).pop()) : NaN;
  };
  const batches = value('pbx_channel_quota_batch_commands_count');
  if (!(batches > 0)) return `not the writer (writer gauge ${value('pbx_channel_quota_writer')})`;
  const commands = value('pbx_channel_quota_batch_commands_sum');
  const appendMs = (value('pbx_channel_quota_append_seconds_sum') / batches) * 1000;
  return `writer=${value('pbx_channel_quota_writer')}, ${batches} appends for ${commands} commands (${(commands / batches).toFixed(2)} per append), mean append ${appendMs.toFixed(2)} ms, conflicts ${value('pbx_channel_quota_conflicts_total')}, books closed ${value('pbx_channel_quota_books_closed_total')}`;
}

async function main(): Promise<void> {
  console.log(`channel-quota bench — node ${process.version}; starting nats-server and PostgreSQL…`);
  const infra = await startTestInfra({ rtpengine: false });
  const replicas: ManagedProcess[] = [];
  const httpPorts: number[] = [];
  let bus: NatsBus | undefined;
  try {
    const databaseUrl = await ensureDatabase(infra.postgres.adminUrl, 'bench_channel_quota');
    await migrateEventStore(databaseUrl);
    const provisioning = join(infra.dir, 'bench.provisioning.yaml');
    writeFileSync(
      provisioning,
      `server:\n  id: ${SERVER_ID}\n  domain: bench.pbx.test\n  channelLimit: ${LIMIT}\n  mobileChannelLimit: 0\n  defaultNotificationNumber: "0312345678"\ntrunks:\n  - { id: carrier-a, host: 127.0.0.1, dids: ["0312345678"] }\n`,
    );
    for (let i = 0; i < REPLICAS; i++) {
      httpPorts.push(await freePort());
      const p = startProcess(`channel-quota-${i}`, process.execPath, ['--require', join(root, 'tools/run-ts.cjs'), join(root, 'apps/channel-quota/src/main.ts')], {
        cwd: root,
        logFile: join(infra.dir, `channel-quota-${i}.log`),
        env: { ...process.env, NATS_URL: infra.nats.url, DATABASE_URL: databaseUrl, PROVISIONING_FILE: provisioning, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPorts[i]), LOG_LEVEL: 'warn', INSTANCE_ID: `bench-${i}` },
      });
      replicas.push(p);
    }
    bus = await NatsBus.connect(infra.nats.url, 'channel-quota-bench');
    const b = bus;
    const t0 = Date.now();
    for (;;) {
      const ok = await b.request(CHANNEL_QUOTA_USAGE, {}, usageReplySchema, { timeoutMs: 1_000 }).catch(() => undefined);
      if (ok) break;
      if (Date.now() - t0 > 60_000) {
        for (let i = 0; i < REPLICAS; i++) console.log(`--- channel-quota-${i}.log\n${readFileSync(join(infra.dir, `channel-quota-${i}.log`), 'utf8').split('\n').slice(-20).join('\n')}`);
        throw new Error('channel-quota did not answer within 60 s');
      }
      await sleep(100);
    }
    console.log(`${REPLICAS} replica(s) answering after ${Date.now() - t0} ms`);
    // Warm-up: JIT, connection pools, the first books.
    await phase(b, 'warm-up', 2, 0, 'warm');

    // The floor: one pair at a time (no queueing behind other pairs).
    const alone: PhaseResult = { pairs: 0, granted: 0, exceeded: 0, errors: 0, pair: [], reserve: [], release: [], lateStarts: 0, maxLiveHeld: 0 };
    console.log('\n== one at a time: sequential reserve+release pairs for 3 s');
    for (const until = hr() + 3_000; hr() < until; alone.pairs++) {
      const legId = `seq-${alone.pairs}`;
      const t0 = hr();
      await b.request(CHANNEL_QUOTA_RESERVE, { legId, callId: `call-${legId}`, direction: 'outbound', farEnd: { kind: 'trunk', trunkId: 'carrier-a' } }, reserveChannelReplySchema);
      const t1 = hr();
      await b.request(CHANNEL_QUOTA_RELEASE, { legId }, releaseChannelReplySchema);
      const t2 = hr();
      alone.granted++;
      alone.reserve.push(t1 - t0);
      alone.release.push(t2 - t1);
      alone.pair.push(t2 - t0);
    }
    const cpu = () => ({
      replicas: replicas.map((p) => cpuSeconds(p.child.pid)),
      bench: process.cpuUsage(),
      nats: cpuSeconds(infra.nats.process.child.pid),
      postgres: cpuSeconds(infra.postgres.process.child.pid, true),
    });
    const before = cpu();
    const rt = await phase(b, 'round trip', SECONDS, 0, 'rt');
    const after = cpu();
    const lim = await phase(b, 'at the limit', Math.max(5, Math.round(SECONDS / 2)), HOLD_MS, 'lim');
    report('one at a time', alone);
    report('round trip', rt);
    report('at the limit', lim);
    const perPair = (sec: number) => ((sec * 1000) / rt.pairs).toFixed(3);
    const benchSec = (after.bench.user + after.bench.system - before.bench.user - before.bench.system) / 1e6;
    const replicaSec = after.replicas.map((v, i) => v - before.replicas[i]);
    const natsSec = after.nats - before.nats;
    const pgSec = after.postgres - before.postgres;
    const allSec = benchSec + replicaSec.reduce((x, y) => x + y, 0) + natsSec + pgSec;
    console.log(
      `   CPU per pair in "round trip": replicas ${replicaSec.map(perPair).join(' + ')} ms, NATS ${perPair(natsSec)} ms, PostgreSQL ${perPair(pgSec)} ms, bench client ${perPair(benchSec)} ms; ` +
        `all ${perPair(allSec)} ms = ${(allSec / SECONDS).toFixed(2)} cores busy at ${RATE} pairs/s`,
    );
    const stored = await replay(databaseUrl);
    console.log(`\nstore: ${stored.events} pool events in ${stored.streams} stream(s) (books closed every ~1,000 events); most channels ever held ${stored.peak} of ${LIMIT}; moments over the limit: ${stored.overLimitMoments}`);
    for (const [i, port] of httpPorts.entries()) console.log(`replica ${i}: ${await writerFigures(port)}`);
    const p99 = pct([...rt.pair].sort((a, b) => a - b), 99);
    console.log(`\nreserve+release p99 ${p99.toFixed(2)} ms at ${RATE} pairs/s (target ≤ 5 ms: ${p99 <= 5 ? 'met' : 'NOT met'}); oversubscription: ${stored.overLimitMoments} (target 0: ${stored.overLimitMoments === 0 && rt.maxLiveHeld <= LIMIT && lim.maxLiveHeld <= LIMIT ? 'met' : 'NOT met'})`);
  } finally {
    await bus?.close();
    await Promise.all(replicas.map((p) => p.stop()));
    await infra.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
