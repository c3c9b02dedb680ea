// History projector catch-up (SPEC H-3): the event store is filled with the leg events of N
// calls (every kind of call in turn, decided by the real call-leg decider, one append per leg,
// 8 writers), then (a) a history-projector service starts cold and projects the whole log
// (its default batch size, 500) — (a) right after the fill, (b) again once emt_messages has
// planner statistics — and (c) the rebuild (tools/stack rebuild-projections) empties the tables
// and replays it all (batch 1,000). Timed from start to the checkpoint at the head.
// Target: ≥ 5,000 events/s.
// Run: node --require ./tools/run-ts.cjs bench/history-projector.bench.ts [calls=30000]
import { createEventStore, readConsumerBacklog, resetConsumer } from '@pbx/event-store';
import { migrateReadModels } from '@pbx/read-models';
import { runService } from '@pbx/service-kit';
import { Client } from 'pg';
import { configSchema } from '../apps/history-projector/src/config';
import { HistoryProjectorModule } from '../apps/history-projector/src/history-projector.module';
import { HISTORY_CONSUMER } from '../apps/history-projector/src/projection/history.projection';
import { rebuildHistory } from '../apps/history-projector/src/projection/rebuild';
import { appendCallsByLeg, scriptCalls } from '../apps/history-projector/test/calls';
import { fmt, log, machine, progress, runBench, startBenchInfra } from './support';

const CALLS = Number(process.argv[2] ?? 30_000);

async function main() {
  log(`history projector catch-up over the events of ${fmt(CALLS)} calls; ${machine()}`);
  const { url, infra, stop } = await startBenchInfra('bench_history');
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await migrateReadModels(url);
    const store = createEventStore({ connectionString: url, poolSize: 8 });
    const calls = scriptCalls(CALLS, Date.now() - 30 * 86_400_000, 60_000, 'c');
    const t = performance.now();
    let appended = 0;
    const stopFill = progress('appended calls', () => appended);
    for (let i = 0; i < calls.length; i += 1_000) {
      await appendCallsByLeg(store, calls.slice(i, i + 1_000), 8);
      appended = Math.min(calls.length, i + 1_000);
    }
    stopFill();
    await store.close();
    const events = Number((await db.query('SELECT count(*) AS n FROM emt_messages')).rows[0].n);
    log(`store filled: ${fmt(events)} events in ${fmt(performance.now() - t)} ms`);

    const config = configSchema.parse({
      NATS_URL: infra.nats.url,
      DATABASE_URL: url,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      RELAY_ENABLED: 'false',
      RETENTION_ENABLED: 'false',
    });
    /** A history-projector service started on the whole log, timed until its backlog is 0. */
    const serviceCatchUp = async (label: string) => {
      const t0 = performance.now();
      const svc = await runService({ service: 'history-projector', config, imports: [HistoryProjectorModule.register(config)] });
      let backlog = events;
      const stopLive = progress(`${label}: events projected`, () => events - backlog);
      while ((backlog = await readConsumerBacklog(db, HISTORY_CONSUMER)) > 0) await new Promise((r) => setTimeout(r, 200));
      stopLive();
      const ms = performance.now() - t0;
      await svc.close();
      const rows = Number((await db.query('SELECT count(*) AS n FROM call_log')).rows[0].n);
      log(`${label}, batch ${config.PROJECTOR_BATCH_SIZE}: ${fmt(events)} events → ${fmt(rows)} rows in ${fmt(ms)} ms = ${fmt((events * 1000) / ms)} events/s`);
      return { ms, rows };
    };

    // (a) right after the fill: emt_messages may not have statistics yet (autovacuum analyzes it
    // on its own schedule); the event store's batch read then plans badly.
    const cold = await serviceCatchUp('(a) service, store just filled');
    // (b) with statistics, as a running system has them.
    await db.query('ANALYZE emt_messages');
    await db.query('BEGIN');
    await db.query('TRUNCATE call_log, call_log_state, channel_usage');
    await resetConsumer(db, HISTORY_CONSUMER);
    await db.query('COMMIT');
    const warm = await serviceCatchUp('(b) service, store analyzed');
    // (c) the rebuild
    const result = await rebuildHistory({ connectionString: url, retentionDays: 36_500, batchSize: 1_000, progress: (p) => log(`rebuild: ${fmt(p.handled)} / ${fmt(p.total)}`) });
    log(`(c) rebuild, batch 1000: ${fmt(result.events)} events → ${fmt(result.callLogRows)} rows in ${fmt(result.elapsedMs)} ms = ${fmt((result.events * 1000) / result.elapsedMs)} events/s`);
    console.log(`\n| run | events | rows | time | events/s |\n| --- | --- | --- | --- | --- |`);
    console.log(`| service start, store just filled (batch ${config.PROJECTOR_BATCH_SIZE}) | ${fmt(events)} | ${fmt(cold.rows)} | ${(cold.ms / 1000).toFixed(1)} s | ${fmt((events * 1000) / cold.ms)} |`);
    console.log(`| service start, store analyzed (batch ${config.PROJECTOR_BATCH_SIZE}) | ${fmt(events)} | ${fmt(warm.rows)} | ${(warm.ms / 1000).toFixed(1)} s | ${fmt((events * 1000) / warm.ms)} |`);
    console.log(`| rebuild-projections (batch 1,000) | ${fmt(result.events)} | ${fmt(result.callLogRows)} | ${(result.elapsedMs / 1000).toFixed(1)} s | ${fmt((result.events * 1000) / result.elapsedMs)} |`);
  } finally {
    await db.end();
    await stop();
  }
}

runBench(main);
