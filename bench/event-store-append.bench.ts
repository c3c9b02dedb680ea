// (a) Append throughput: 16 concurrent writers, each appending 1–4 events per append (expected
// version checked) to its own small streams, through @pbx/event-store; the same through Emmett's
// own client (getPostgreSQLEventStore().appendToStream, which @pbx/event-store does not use for
// appends); and the same rows as plain multi-row INSERTs through pg, to show what it costs.
// Run: node --require ./tools/run-ts.cjs bench/event-store-append.bench.ts [seconds=30]
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import { createEventStore } from '@pbx/event-store';
import { fmt, log, machine, pct, prng, progress, startBenchInfra, runBench } from './support';

const seconds = Number(process.argv[2] ?? 30); // in all, per kind of writer
const ROUNDS = 3;
const WRITERS = 16;
const APPENDS_PER_STREAM = 12; // a leg sees about a dozen appends in its life

interface Result {
  events: number;
  appends: number;
  elapsedMs: number;
  latencies: number[];
}

/** Runs `WRITERS` loops of `appendOnce` for `ms`; each call appends `n` events to `stream` at `version`. */
async function drive(label: string, ms: number, appendOnce: (writer: number, stream: string, version: number, n: number) => Promise<void>): Promise<Result> {
  let events = 0;
  let appends = 0;
  const latencies: number[] = [];
  const stopProgress = progress(`${label} events`, () => events);
  const t0 = performance.now();
  const deadline = t0 + ms;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const random = prng(1000 + w);
      for (let s = 0; performance.now() < deadline; s++) {
        const stream = `leg-${label}${w}x${s}`;
        let version = 0;
        for (let a = 0; a < APPENDS_PER_STREAM && performance.now() < deadline; a++) {
          const n = 1 + Math.floor(random() * 4);
          const start = performance.now();
          await appendOnce(w, stream, version, n);
          latencies.push(performance.now() - start);
          version += n;
          events += n;
          appends += 1;
        }
      }
    }),
  );
  stopProgress();
  return { events, appends, elapsedMs: performance.now() - t0, latencies: latencies.sort((a, b) => a - b) };
}

const payload = (i: number) => ({ legId: 'bench', seq: i, from: '+81312345678', to: '1002', codec: 'PCMU' });

async function main() {
  log(`event store append throughput — ${WRITERS} writers × 1–4 events/append, ${seconds} s each in ${ROUNDS} alternating rounds; ${machine()}`);
  const { url, stop } = await startBenchInfra('bench_append');
  try {
    const store = createEventStore({ connectionString: url, poolSize: WRITERS + 4 });
    const appendStore = async (_w: number, stream: string, version: number, n: number) => {
      await store.append(stream, Array.from({ length: n }, (_, i) => ({ type: 'Ticked', data: payload(i) })), {
        expectedVersion: version,
        metadata: { correlationId: 'bench-req', causationId: 'bench-cmd' },
      });
    };

    // Emmett's client, same SQL function: BEGIN, the call with values formatted into the text, COMMIT.
    const emmettPool = new Pool({ connectionString: url, max: WRITERS + 4 });
    const emmett = getPostgreSQLEventStore(url, { schema: { autoMigration: 'None' }, connectionOptions: { pool: emmettPool } });
    const appendEmmett = async (_w: number, stream: string, version: number, n: number) => {
      const metadata = { correlationId: 'bench-req', causationId: 'bench-cmd', schemaVersion: 1, occurredAt: new Date().toISOString() };
      await emmett.appendToStream(stream, Array.from({ length: n }, (_, i) => ({ type: 'Ticked', data: payload(i), metadata })), { expectedStreamVersion: BigInt(version) });
    };

    // The same rows as plain INSERTs: a table with emt_messages' columns and primary key, one
    // multi-row INSERT per append in its own (autocommit) transaction.
    const pool = new Pool({ connectionString: url, max: WRITERS + 4 });
    await pool.query(`CREATE TABLE plain_events (
      stream_id text NOT NULL, stream_position bigint NOT NULL, global_position bigserial, transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      created timestamptz NOT NULL DEFAULT now(), message_id text NOT NULL, message_type text NOT NULL,
      message_data jsonb NOT NULL, message_metadata jsonb NOT NULL, PRIMARY KEY (stream_id, stream_position))`);
    const appendPlain = async (_w: number, stream: string, version: number, n: number) => {
      const values: unknown[] = [];
      const rows: string[] = [];
      for (let i = 0; i < n; i++) {
        const b = values.length;
        rows.push(`($${b + 1}, $${b + 2}, gen_random_uuid()::text, 'Ticked', $${b + 3}, $${b + 4})`);
        values.push(stream, version + i + 1, JSON.stringify(payload(i)), JSON.stringify({ correlationId: 'bench-req', causationId: 'bench-cmd', schemaVersion: 1, occurredAt: new Date().toISOString() }));
      }
      await pool.query(`INSERT INTO plain_events (stream_id, stream_position, message_id, message_type, message_data, message_metadata) VALUES ${rows.join(', ')}`, values);
    };

    log('warm-up (2 s each)');
    await drive('warm', 2000, appendStore);
    await drive('pwarm', 2000, appendPlain);
    await drive('ewarm', 2000, appendEmmett);
    // Alternate the two, so that a busy neighbour on the machine weighs on both alike.
    const es: Result[] = [];
    const plain: Result[] = [];
    const viaEmmett: Result[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      es.push(await drive(`store${round}r`, (seconds * 1000) / ROUNDS, appendStore));
      plain.push(await drive(`plain${round}r`, (seconds * 1000) / ROUNDS, appendPlain));
      viaEmmett.push(await drive(`emmett${round}r`, (seconds * 1000) / ROUNDS, appendEmmett));
    }
    await store.close();
    await pool.end();
    await emmettPool.end();

    const rate = (r: Result) => (r.events * 1000) / r.elapsedMs;
    const median = (rs: Result[]) => [...rs].sort((a, b) => rate(a) - rate(b))[Math.floor(rs.length / 2)];
    const all = (rs: Result[]) => rs.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const line = (name: string, rs: Result[]) => {
      const m = median(rs);
      const lat = all(rs);
      return (
        `${name.padEnd(28)} ${fmt(rate(m)).padStart(7)} events/s  ${fmt((m.appends * 1000) / m.elapsedMs).padStart(6)} appends/s  ` +
        `latency p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms  (rounds: ${rs.map((r) => fmt(rate(r))).join(', ')})`
      );
    };
    const ratio = rate(median(es)) / rate(median(plain));
    console.log(`\nresults (median of ${ROUNDS} alternating rounds; ${machine().replace(' at start', ' at the end')})`);
    console.log(line('@pbx/event-store (Emmett)', es));
    console.log(line("Emmett's appendToStream", viaEmmett));
    console.log(line('plain INSERT through pg', plain));
    console.log(`event store / plain INSERT: ${ratio.toFixed(2)}; event store / Emmett's client: ${(rate(median(es)) / rate(median(viaEmmett))).toFixed(2)}; target ≥ 5,000 events/s: ${rate(median(es)) >= 5000 ? 'met' : 'NOT met'}`);
  } finally {
    await stop();
  }
}

runBench(main);
