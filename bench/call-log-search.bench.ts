// Call-log search (発着信履歴検索, SPEC S-1) on 1,000,000 call_log rows, through the NATS query
// qry.v1.history-projector.call-logs of a running history-projector (in this process), the way
// the api-gateway asks it. Target: p95 ≤ 50 ms for the common filters (period + number).
// Rows are generated in SQL (400 days, 2,500 calls a day, 200 extensions, 50 DIDs, 100,000
// customer numbers; 40% internal, 30% incoming, 30% outgoing), then VACUUM ANALYZE.
// Run: node --require ./tools/run-ts.cjs bench/call-log-search.bench.ts [rows=1000000] [requests=300]
import { callLogSearchReplySchema, CallLogSearchRequest, HISTORY_CALL_LOGS, isErrorReply } from '@pbx/contracts';
import { migrateReadModels } from '@pbx/read-models';
import { NatsBus, runService } from '@pbx/service-kit';
import { Client } from 'pg';
import { configSchema } from '../apps/history-projector/src/config';
import { HistoryProjectorModule } from '../apps/history-projector/src/history-projector.module';
import { fmt, log, machine, pct, prng, runBench, startBenchInfra } from './support';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const REQUESTS = Number(process.argv[3] ?? 300);
const DAYS = 400;
const END = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 86_400_000;

const FILL_SQL = `
INSERT INTO call_log (call_id, request_id, origin_leg_id, started_at, answered_at, ended_at, duration_seconds, direction, federation,
                      presented_caller, callee, answered_by, answered_by_leg_id, result, trunk_id, did)
SELECT 'b' || i, 'req-b' || i, 'b' || i || '-a', ts,
       CASE WHEN res = 'answered' THEN ts + interval '6 seconds' END,
       ts + make_interval(secs => 6 + talk),
       CASE WHEN res = 'answered' THEN talk ELSE 0 END,
       dir, false,
       CASE dir WHEN 'incoming' THEN cust ELSE ext_a END,
       CASE dir WHEN 'internal' THEN ext_b WHEN 'incoming' THEN did ELSE cust END,
       CASE WHEN res <> 'answered' THEN NULL WHEN dir = 'outgoing' THEN cust ELSE ext_b END,
       CASE WHEN res = 'answered' THEN 'b' || i || '-b' END,
       res,
       CASE WHEN dir = 'internal' THEN NULL ELSE 'carrier-' || (i % 3) END,
       CASE WHEN dir = 'incoming' THEN did END
  FROM (SELECT i,
               to_timestamp($2::double precision / 1000 - i::double precision * $3::double precision) AS ts,
               CASE WHEN (i * 7919) % 101 % 10 < 4 THEN 'internal' WHEN (i * 7919) % 101 % 10 < 7 THEN 'incoming' ELSE 'outgoing' END AS dir,
               CASE WHEN (i * 31) % 97 % 10 < 7 THEN 'answered' WHEN (i * 31) % 97 % 10 = 7 THEN 'busy' WHEN (i * 31) % 97 % 10 = 8 THEN 'no-answer' ELSE 'cancelled' END AS res,
               (1000 + (i * 13) % 200)::text AS ext_a,
               (1000 + (i * 17 + 7) % 200)::text AS ext_b,
               '03123400' || lpad((i % 50)::text, 2, '0') AS did,
               '090' || lpad(((i * 7919) % 100000)::text, 8, '0') AS cust,
               ((i * 37) % 600)::int AS talk
          FROM generate_series($1::bigint, $1::bigint + $4::bigint - 1) AS i) s`;

interface Case {
  name: string;
  make(r: () => number): CallLogSearchRequest;
}

const ext = (r: () => number) => String(1000 + Math.floor(r() * 200));
const did = (r: () => number) => `03123400${String(Math.floor(r() * 50)).padStart(2, '0')}`;
const cust = (r: () => number) => `090${String(Math.floor(r() * 100_000)).padStart(8, '0')}`;
/** A period of `days` ending at a random day of the data. */
const period = (r: () => number, days: number) => {
  const to = END - Math.floor(r() * (DAYS - days)) * DAY;
  return { from: new Date(to - days * DAY).toISOString(), to: new Date(to).toISOString() };
};

const CASES: Case[] = [
  { name: '1 day + extension', make: (r) => ({ ...period(r, 1), number: ext(r) }) },
  { name: '1 month + extension', make: (r) => ({ ...period(r, 30), number: ext(r) }) },
  { name: '1 month + extension, page 3', make: (r) => ({ ...period(r, 30), number: ext(r), limit: 100, offset: 200 }) },
  { name: '1 week + DID', make: (r) => ({ ...period(r, 7), number: did(r) }) },
  { name: '1 month + DID + result', make: (r) => ({ ...period(r, 30), number: did(r), result: 'no-answer' }) },
  { name: '1 day, no number (2,500 rows)', make: (r) => period(r, 1) },
  { name: 'customer number, all time', make: (r) => ({ number: cust(r) }) },
  { name: 'user scope (1 ext) + 1 month', make: (r) => ({ ...period(r, 30), scope: { numbers: [ext(r)] } }) },
  { name: 'supervisor scope (20 numbers) + 1 week', make: (r) => ({ ...period(r, 7), scope: { numbers: Array.from({ length: 20 }, () => (r() < 0.5 ? ext(r) : did(r))) } }) },
  { name: '1 month, no number → SEARCH.TOO_MANY', make: (r) => period(r, 30) },
];

async function main() {
  log(`call-log search: ${fmt(ROWS)} rows, ${REQUESTS} requests per case; ${machine()}`);
  const { url, infra, stop } = await startBenchInfra('bench_calllog');
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await migrateReadModels(url);
    const t0 = performance.now();
    const step = (DAYS * DAY) / 1000 / ROWS; // seconds between calls
    const CHUNK = 100_000;
    for (let first = 1; first <= ROWS; first += CHUNK) {
      await db.query(FILL_SQL, [first, END, step, Math.min(CHUNK, ROWS - first + 1)]);
      log(`filled ${fmt(Math.min(ROWS, first + CHUNK - 1))} rows`);
    }
    await db.query('VACUUM ANALYZE call_log');
    const size = (await db.query(`SELECT pg_size_pretty(pg_total_relation_size('call_log')) AS s`)).rows[0].s;
    log(`fill + indexes + VACUUM ANALYZE in ${fmt(performance.now() - t0)} ms; call_log with indexes: ${size}`);

    const config = configSchema.parse({
      NATS_URL: infra.nats.url,
      DATABASE_URL: url,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      RELAY_ENABLED: 'false',
      PROJECTOR_ENABLED: 'false',
      RETENTION_ENABLED: 'false',
    });
    const svc = await runService({ service: 'history-projector', config, imports: [HistoryProjectorModule.register(config)] });
    const bus = await NatsBus.connect(infra.nats.url, 'bench-call-log-search');
    try {
      const results: string[] = [];
      for (const c of CASES) {
        const r = prng(42);
        const times: number[] = [];
        let totals = 0;
        let tooMany = 0;
        for (let i = 0; i < REQUESTS + 20; i++) {
          const q = c.make(r);
          const t = performance.now();
          const reply = await bus.request(HISTORY_CALL_LOGS, q, callLogSearchReplySchema, { timeoutMs: 30_000 }).catch((e: unknown) => {
            if ((e as { code?: string }).code === 'SEARCH.TOO_MANY') return undefined;
            if (isErrorReply(e)) throw new Error(JSON.stringify(e));
            throw e;
          });
          const ms = performance.now() - t;
          if (i < 20) continue; // warm-up
          times.push(ms);
          if (reply === undefined) tooMany++;
          else totals += reply.total;
        }
        times.sort((a, b) => a - b);
        const line = `${c.name.padEnd(42)} p50 ${pct(times, 50).toFixed(1).padStart(6)} ms  p95 ${pct(times, 95).toFixed(1).padStart(6)} ms  p99 ${pct(times, 99).toFixed(1).padStart(6)} ms  ` +
          (tooMany > 0 ? `TOO_MANY ${tooMany}/${REQUESTS}` : `avg total ${fmt(totals / REQUESTS)}`);
        log(line);
        results.push(line);
      }
      console.log(`\n| case | p50 | p95 | p99 | matches |\n| --- | --- | --- | --- | --- |`);
      for (const l of results) {
        const m = /^(.*?)\s+p50\s+([\d.]+) ms\s+p95\s+([\d.]+) ms\s+p99\s+([\d.]+) ms\s+(.*)$/.exec(l);
        if (m) console.log(`| ${m[1]} | ${m[2]} ms | ${m[3]} ms | ${m[4]} ms | ${m[5]} |`);
      }
    } finally {
      await bus.close();
      await svc.close();
    }
  } finally {
    await db.end();
    await stop();
  }
}

runBench(main);
