// Route decisions over NATS (qry.v1.dialplan.route): p50/p99 latency at a fixed offered rate.
// Starts its own nats-server and the dialplan service in this process.
//   node --require ./tools/run-ts.cjs bench/dialplan-nats.bench.ts [rate=1000] [seconds=15]
import { join } from 'node:path';
import { DIALPLAN_ROUTE, routeReplySchema, RouteQuery } from '@pbx/contracts';
import { NatsBus, runService } from '@pbx/service-kit';
import { startTestInfra } from '@pbx/testing';
import { pct, runBench } from './support';
import { DialplanModule } from '../apps/dialplan/src/dialplan.module';

const rate = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 15);
const queries: RouteQuery[] = [
  { dialed: '1002', caller: { kind: 'extension', extension: '1001' } },
  { dialed: '6001', caller: { kind: 'extension', extension: '1001' } },
  { dialed: '0312345679', caller: { kind: 'trunk', trunkId: 'carrier-a', callerNumber: '0311112222' } },
  { dialed: '09011112222', caller: { kind: 'extension', extension: '1001' } },
  { dialed: '121001', caller: { kind: 'extension', extension: '1001' } },
  { dialed: '1999', caller: { kind: 'extension', extension: '1001' } },
];


async function main() {
  const infra = await startTestInfra({ rtpengine: false });
  const config = { NATS_URL: infra.nats.url, HTTP_HOST: '127.0.0.1', HTTP_PORT: 0, LOG_LEVEL: 'silent' as const, PROVISIONING_FILE: join(__dirname, '../deploy/demo/provisioning.yaml') };
  const svc = await runService({ service: 'dialplan', config, imports: [DialplanModule.register(config)] });
  const bus = await NatsBus.connect(infra.nats.url, 'bench');
  for (let i = 0; i < 2000; i++) await bus.request(DIALPLAN_ROUTE, queries[i % queries.length], routeReplySchema); // warm-up

  const lat: number[] = [];
  let errors = 0;
  const total = rate * seconds;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const start = performance.now();
    inflight.push(
      bus.request(DIALPLAN_ROUTE, queries[i % queries.length], routeReplySchema).then(
        () => void lat.push(performance.now() - start),
        () => void errors++,
      ),
    );
    if (i % rate === 0 && i > 0) process.stdout.write(`  ${i / rate}/${seconds} s, ${lat.length} answered\n`);
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  console.log(`dialplan over NATS: offered ${rate}/s for ${seconds} s → ${(lat.length / elapsed).toFixed(0)} answers/s, errors ${errors}`);
  console.log(`latency ms: p50 ${pct(lat, 50).toFixed(2)}  p90 ${pct(lat, 90).toFixed(2)}  p99 ${pct(lat, 99).toFixed(2)}  max ${lat[lat.length - 1].toFixed(2)}`);
  await bus.close();
  await svc.close();
  await infra.stop();
}
runBench(main);
