// (c) Consumer catch-up: 1,000,000 events appended through the store (8 parallel writers, big
// appends), then a consumer replays them all into a trivial read model (one row per event,
// inserted per batch with unnest), timed from start to checkpoint at the head.
// Run: node --require ./tools/run-ts.cjs bench/event-store-catch-up.bench.ts [events=1000000] [batchSizes=1000,100]
import { Client } from 'pg';
import { ConsumedEvent, createEventStore, readConsumerBacklog, startConsumer } from '@pbx/event-store';
import { fmt, log, machine, progress, startBenchInfra, runBench } from './support';

const total = Number(process.argv[2] ?? 1_000_000);
const batchSizes = (process.argv[3] ?? '1000,100').split(',').map(Number);
const WRITERS = 8;
const PER_APPEND = 500;
const PER_STREAM = 2; // appends per stream: streams of 1,000 events

async function main() {
  log(`consumer catch-up over ${fmt(total)} events; batch sizes ${batchSizes.join(', ')}; ${machine()}`);
  const { url, stop } = await startBenchInfra('bench_catchup');
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    // 1. Fill the store through its API: 8 writers, appends of 500 events.
    const store = createEventStore({ connectionString: url, poolSize: WRITERS });
    let appended = 0;
    const stopFill = progress('appended', () => appended);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        for (;;) {
          const s = next++;
          if (s * PER_APPEND * PER_STREAM >= total) return;
          let version = 0n;
          for (let a = 0; a < PER_STREAM && appended < total; a++) {
            const n = Math.min(PER_APPEND, total - s * PER_APPEND * PER_STREAM - a * PER_APPEND);
            if (n <= 0) break;
            const events = Array.from({ length: n }, (_, i) => ({ type: 'CallRecorded', data: { seq: i, from: '+81312345678', to: '1002', durationMs: 61_000 } }));
            version = (await store.append(`call-c${s}`, events, { expectedVersion: version, metadata: { correlationId: `fill-${s}` } })).nextVersion;
            appended += n;
          }
        }
      }),
    );
    stopFill();
    const fillS = (performance.now() - t0) / 1000;
    await store.close();
    log(`filled ${fmt(appended)} events in ${fillS.toFixed(1)} s (${fmt(appended / fillS)}/s); ANALYZE`);
    await db.query('ANALYZE emt_messages');
    const plan = await db.query(`EXPLAIN SELECT * FROM emt_messages WHERE partition = 'emt:default' AND is_archived = FALSE
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot()) AND (transaction_id, global_position) > ('0'::xid8, 0) ORDER BY transaction_id, global_position LIMIT 1000`);
    log(`consumer read plan: ${plan.rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN'].trim()).slice(0, 3).join(' | ')}`);

    // 2. Replay into a trivial read model, once per batch size.
    const results: string[] = [];
    for (const batchSize of batchSizes) {
      const table = `rm_catchup_${batchSize}`;
      await db.query(`CREATE TABLE ${table} (event_id text NOT NULL, stream text NOT NULL, global_position bigint NOT NULL)`);
      const name = `catch-up-${batchSize}`;
      const start = performance.now();
      const consumer = startConsumer({
        name,
        connectionString: url,
        batchSize,
        async handle(events: ConsumedEvent[], tx) {
          await tx.query(`INSERT INTO ${table} SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])`, [
            events.map((e) => e.metadata.eventId),
            events.map((e) => e.streamName),
            events.map((e) => e.globalPosition.toString()),
          ]);
        },
      });
      const stopProgress = progress(`replayed (batch ${batchSize})`, () => consumer.stats.events);
      while (consumer.stats.events < appended) await new Promise((r) => setTimeout(r, 50));
      const seconds = (performance.now() - start) / 1000;
      stopProgress();
      await consumer.stop();
      const backlog = await readConsumerBacklog(db, name);
      const rows = Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
      results.push(`batch ${String(batchSize).padStart(5)}: ${fmt(appended / seconds).padStart(7)} events/s (${fmt(appended)} in ${seconds.toFixed(1)} s; ${fmt(rows)} rows, backlog ${backlog})`);
      log(results[results.length - 1]);
    }
    console.log(`\nresults (${machine().replace(' at start', ' at the end')})`);
    console.log(`fill through the store API: ${fmt(appended / fillS)} events/s (${WRITERS} writers × ${PER_APPEND} events per append)`);
    for (const r of results) console.log(`catch-up, ${r}`);
  } finally {
    await db.end();
    await stop();
  }
}

runBench(main);
