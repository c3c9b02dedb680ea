// End-to-end call rate and concurrency through sip-edge (issue #3 figures):
//   SIPp carrier UAC → DID → sip-edge (B2BUA, dialplan over NATS, channel quota, rtpengine
//   offer/answer/delete, leg events in PostgreSQL) → an extension registered by a SIPp UAS.
// Phase 1: CALL_RATE calls/s for CALL_SECONDS (default 100 for 60 s) — failed calls, INVITE→180
//          percentiles, CPU per call of each process.
// Phase 2: a ladder of shorter runs above that rate, to the highest rate with no failed call.
// Phase 3: CONCURRENT calls (default 1,000) established and held HOLD_SECONDS (default 60):
//          none dropped; sip-edge memory reported.
// Run: node --require ./tools/run-ts.cjs bench/sip-edge-calls.bench.ts
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportTestEnv, freePort, startRtpengine, startTestInfra, TEST_ENV } from '@pbx/testing';
import { DIDS, registerPhone, sipp, startEdgeStack, EdgeStack } from '../apps/sip-edge/test/support/edge-stack';
import { fmt, log, machine, pct } from './support';

const CALL_RATE = Number(process.env.CALL_RATE ?? 100);
const CALL_SECONDS = Number(process.env.CALL_SECONDS ?? 60);
const LADDER = (process.env.LADDER ?? '150,200,300,400').split(',').map(Number).filter((n) => n > 0);
const LADDER_SECONDS = Number(process.env.LADDER_SECONDS ?? 20);
const CONCURRENT = Number(process.env.CONCURRENT ?? 1000);
const HOLD_SECONDS = Number(process.env.HOLD_SECONDS ?? 60);
const SCENARIO = join(__dirname, 'sipp/uac-bench.xml');

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
  } catch {
    return 0;
  }
}

function rssMb(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface RunResult {
  rate: number;
  calls: number;
  ok: number;
  failed: number;
  ringMs: number[];
  wallMs: number;
  cpu: Map<string, number>;
}

function readStats(dir: string, pid: number | undefined): { ok: number; failed: number; ringMs: number[] } {
  const files = readdirSync(dir);
  const stat = files.find((f) => f.startsWith('uac-bench_') && f.includes(`_${pid}_`) && f.endsWith('.csv') && !f.endsWith('_rtt.csv'));
  const rtt = files.find((f) => f.startsWith('uac-bench_') && f.includes(`_${pid}_`) && f.endsWith('_rtt.csv'));
  let ok = 0;
  let failed = 0;
  if (stat !== undefined) {
    const lines = readFileSync(join(dir, stat), 'utf8').trim().split('\n');
    const head = lines[0].split(';');
    const last = lines[lines.length - 1].split(';');
    ok = Number(last[head.indexOf('SuccessfulCall(C)')]);
    failed = Number(last[head.indexOf('FailedCall(C)')]);
  }
  const ringMs: number[] = [];
  if (rtt !== undefined) {
    for (const line of readFileSync(join(dir, rtt), 'utf8').trim().split('\n').slice(1)) {
      const [, ms] = line.split(';');
      if (ms !== undefined && ms !== '') ringMs.push(Number(ms));
    }
  }
  return { ok, failed, ringMs: ringMs.sort((a, b) => a - b) };
}

async function run(stack: EdgeStack, phonePort: number, rate: number, calls: number, holdMs: number, dir: string): Promise<RunResult> {
  const procs = stack.processes();
  const cpu0 = new Map(procs.map((p) => [p.name, cpuSeconds(p.pid)]));
  const t0 = Date.now();
  const uas = sipp({ scenario: 'uas-answer.xml', localPort: phonePort, calls, timeoutSeconds: Math.ceil(calls / rate) + holdMs / 1000 + 60, keys: { domain: stack.domain }, extra: ['-l', String(calls)] });
  const uac = sipp({
    scenario: SCENARIO,
    remote: `127.0.0.1:${stack.sipPort}`,
    localPort: stack.trunkPort,
    service: DIDS.toPhone,
    calls,
    rate,
    durationMs: holdMs,
    keys: { domain: stack.domain },
    timeoutSeconds: Math.ceil(calls / rate) + holdMs / 1000 + 60,
    extra: ['-l', String(Math.max(calls, 10)), '-trace_stat', '-fd', '1', '-trace_rtt', '-rtt_freq', '1'],
  });
  const progress = setInterval(async () => {
    const m = await fetch(`${stack.httpUrl}/metrics`).then((r) => r.text()).catch(() => '');
    const active = /pbx_sip_active_calls\{[^}]*\} (\d+)/.exec(m)?.[1];
    log(`  … ${((Date.now() - t0) / 1000).toFixed(0)} s, active calls ${active ?? '?'}, sip-edge RSS ${rssMb(stack.edge.child.pid).toFixed(0)} MB`);
  }, 10_000);
  const [c] = await Promise.all([uac.done, uas.done]);
  clearInterval(progress);
  const wallMs = Date.now() - t0;
  const cpu = new Map(stack.processes().map((p) => [p.name, cpuSeconds(p.pid) - (cpu0.get(p.name) ?? 0)]));
  const s = readStats(dir, uac.pid);
  if (c.code !== 0 && s.failed === 0) s.failed = calls - s.ok;
  return { rate, calls, ok: s.ok, failed: s.failed, ringMs: s.ringMs, wallMs, cpu };
}

function report(r: RunResult): void {
  log(
    `rate ${r.rate}/s × ${r.calls} calls: ${fmt(r.ok)} ok, ${fmt(r.failed)} failed; INVITE→180 p50 ${pct(r.ringMs, 50)} ms, p95 ${pct(r.ringMs, 95)} ms, p99 ${pct(r.ringMs, 99)} ms, max ${r.ringMs.at(-1)} ms (${r.ringMs.length} samples)`,
  );
  const per = [...r.cpu.entries()].map(([name, sec]) => `${name} ${((sec * 1000) / Math.max(1, r.ok)).toFixed(2)} ms`).join(', ');
  log(`  CPU per call: ${per}`);
}

async function main(): Promise<void> {
  log(`sip-edge calls bench — ${machine()}`);
  const infra = await startTestInfra({ rtpengine: false });
  exportTestEnv(infra);
  const rtp = await startRtpengine({ portMin: 40_000, portMax: 59_999, recordingDir: join(infra.dir, 'recordings'), logFile: join(infra.dir, 'rtpengine.log'), logLevel: 3 });
  process.env[TEST_ENV.rtpengineNg] = `127.0.0.1:${rtp.ngPort}`;
  process.env[TEST_ENV.rtpengineDtmf] = `127.0.0.1:${rtp.dtmfPort}`;
  const stack = await startEdgeStack({ channelLimit: 5_000, ringTimeoutSeconds: 30, edgeEnv: { LOG_LEVEL: 'warn', CHANNEL_LEASE_MS: '60000' } });
  const stackProcesses = stack.processes.bind(stack);
  stack.processes = () => [...stackProcesses(), { name: 'rtpengine', pid: rtp.process.child.pid }];
  const dir = infra.dir;
  try {
    const phonePort = await freePort();
    await registerPhone(stack, '1002', phonePort);
    log(`phase 1: ${CALL_RATE} calls/s for ${CALL_SECONDS} s (hold 1 s)`);
    const main = await run(stack, phonePort, CALL_RATE, CALL_RATE * CALL_SECONDS, 1_000, dir);
    report(main);
    let best = main.failed === 0 ? CALL_RATE : 0;
    for (const rate of LADDER) {
      if (best < CALL_RATE || rate <= best) continue;
      log(`phase 2: ${rate} calls/s for ${LADDER_SECONDS} s`);
      const r = await run(stack, phonePort, rate, rate * LADDER_SECONDS, 1_000, dir);
      report(r);
      if (r.failed > 0) break;
      best = rate;
    }
    log(`highest rate with no failed call: ${best} calls/s`);
    if (CONCURRENT > 0) {
      log(`phase 3: ${CONCURRENT} concurrent calls held ${HOLD_SECONDS} s (set up at 100/s)`);
      const rssBefore = rssMb(stack.edge.child.pid);
      let peakRss = rssBefore;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(stack.edge.child.pid))), 1_000);
      const r = await run(stack, phonePort, 100, CONCURRENT, (CONCURRENT / 100 + HOLD_SECONDS) * 1_000, dir);
      clearInterval(sampler);
      report(r);
      log(`  sip-edge RSS: ${rssBefore.toFixed(0)} MB before, peak ${peakRss.toFixed(0)} MB with ${CONCURRENT} calls up; dropped calls: ${r.calls - r.ok}`);
    }
  } finally {
    await stack.stop();
    await rtp.process.stop();
    await infra.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
