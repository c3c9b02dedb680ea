// (b) Relay lag: time from an append's commit to the event's delivery from JetStream, at a
// steady 2,000 events/s (appends of 1–4 events over many short streams, as calls make them).
// The relay runs in its own process; this process writes and consumes (one clock for both).
// Run: node --require ./tools/run-ts.cjs bench/event-store-relay-lag.bench.ts [rate=2000] [seconds=20]
import { join } from 'node:path';
import { connect } from 'nats';
import { createEventStore, DEFAULT_EVENTS_STREAM } from '@pbx/event-store';
import { startProcess } from '@pbx/testing';
import { fmt, log, machine, pct, prng, startBenchInfra, runBench } from './support';

const rate = Number(process.argv[2] ?? 2000);
const seconds = Number(process.argv[3] ?? 20);
const WARMUP_S = 3;
const SLOTS = 64; // calls in progress at once: each appends to its own stream, one append at a time

async function main() {
  log(`relay lag commit → JetStream delivery at ${fmt(rate)} events/s for ${seconds} s (+${WARMUP_S} s warm-up); ${machine()}`);
  const { infra, url, stop } = await startBenchInfra('bench_relay');
  const relay = startProcess('relay', process.execPath, ['--require', join(__dirname, '../tools/run-ts.cjs'), join(__dirname, 'event-store-relay-process.ts')], {
    env: { ...process.env, DATABASE_URL: url, NATS_URL: infra.nats.url, STREAM_NAME: DEFAULT_EVENTS_STREAM, LOG_LEVEL: 'warn' },
  });
  let relayOut = '';
  relay.child.stdout?.on('data', (d: Buffer) => (relayOut += d.toString()));
  relay.child.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
  const store = createEventStore({ connectionString: url, poolSize: SLOTS });
  const nc = await connect({ servers: infra.nats.url });
  try {
    for (const t0 = Date.now(); !relayOut.includes('RUNNING'); ) {
      if (Date.now() - t0 > 20_000) throw new Error('relay did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    log('relay running');

    // Delivery side: an ordered consumer over the whole stream (pull requests kept open).
    const committedAt = new Map<string, number>();
    const deliveredAt = new Map<string, number>();
    const storedAt = new Map<string, number>(); // JetStream's own timestamp, on this process's clock
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    const consumer = await js.consumers.get(DEFAULT_EVENTS_STREAM); // ordered consumer: no acks, in stream order
    const messages = await consumer.consume();
    void (async () => {
      for await (const m of messages) {
        const id = m.headers?.get('Nats-Msg-Id');
        if (!id) continue;
        deliveredAt.set(id, performance.now());
        storedAt.set(id, m.info.timestampNanos / 1e6 - performance.timeOrigin);
      }
    })();

    // Writing side: paced to `rate` events/s in total.
    const random = prng(7);
    const total = rate * (seconds + WARMUP_S);
    let sent = 0;
    let measuredFrom = Infinity;
    const measured: string[] = [];
    const free = Array.from({ length: SLOTS }, (_, i) => ({ slot: i, stream: 0, version: 0n, appends: 0 }));
    const start = performance.now();
    let lastLog = start;
    while (sent < total) {
      const elapsed = performance.now() - start;
      if (elapsed >= WARMUP_S * 1000 && measuredFrom === Infinity) measuredFrom = sent;
      let due = Math.min(total, Math.floor((elapsed * rate) / 1000)) - sent;
      while (due > 0 && free.length > 0) {
        const s = free.pop()!;
        const n = Math.min(due, 1 + Math.floor(random() * 4));
        due -= n;
        sent += n;
        const inWindow = sent > measuredFrom;
        const events = Array.from({ length: n }, (_, i) => ({ type: 'Ticked', data: { i } }));
        void store.append(`leg-s${s.slot}x${s.stream}`, events, { expectedVersion: s.version, metadata: { correlationId: 'bench' } }).then((r) => {
          const t = performance.now();
          for (const e of r.events) {
            committedAt.set(e.metadata.eventId, t);
            if (inWindow) measured.push(e.metadata.eventId);
          }
          s.version = r.nextVersion;
          if (++s.appends === 12) Object.assign(s, { stream: s.stream + 1, version: 0n, appends: 0 });
          free.push(s);
        });
      }
      if (performance.now() - lastLog >= 1000) {
        lastLog = performance.now();
        const inStream = (await jsm.streams.info(DEFAULT_EVENTS_STREAM)).state.messages;
        log(`appended ${fmt(sent)}, in JetStream ${fmt(inStream)}, delivered ${fmt(deliveredAt.size)}${free.length === 0 ? ' (all slots busy: the store is behind the offered rate)' : ''}`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const writeElapsed = (performance.now() - start) / 1000;
    for (const t0 = Date.now(); deliveredAt.size < committedAt.size || committedAt.size < sent; ) {
      if (Date.now() - t0 > 30_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    messages.stop();

    const lags = measured.map((id) => (deliveredAt.get(id) ?? Infinity) - committedAt.get(id)!).sort((a, b) => a - b);
    const missing = lags.filter((l) => l === Infinity).length;
    console.log(`\nresults (${machine().replace(' at start', ' at the end')})`);
    console.log(`offered ${fmt(rate)} events/s; appended ${fmt(sent)} events in ${writeElapsed.toFixed(1)} s (${fmt(sent / writeElapsed)}/s); measured ${fmt(lags.length)} after the warm-up${missing ? `; ${missing} NOT delivered` : ''}`);
    console.log(`lag commit → delivery: p50 ${pct(lags, 50).toFixed(1)} ms, p90 ${pct(lags, 90).toFixed(1)} ms, p99 ${pct(lags, 99).toFixed(1)} ms, max ${lags[lags.length - 1 - missing].toFixed(1)} ms`);
    const storeLags = measured.map((id) => (storedAt.get(id) ?? Infinity) - committedAt.get(id)!).sort((a, b) => a - b);
    console.log(`  of which commit → stored in JetStream (relay): p50 ${pct(storeLags, 50).toFixed(1)} ms, p99 ${pct(storeLags, 99).toFixed(1)} ms`);
    console.log(`target p99 ≤ 100 ms: ${pct(lags, 99) <= 100 ? 'met' : 'NOT met'}`);
  } finally {
    await nc.close();
    await store.close();
    await relay.stop();
    await stop();
  }
}

runBench(main);
