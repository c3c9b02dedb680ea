// Route decisions per second of the pure dialplan decider (SPEC N-8) on one core, against the
// demo provisioning of the local stack. Prints figures; never fails on timing (STYLE.md).
// Run: node --require ./tools/run-ts.cjs bench/dialplan.bench.ts

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallerEndpoint, decideRoute, DialContext } from '@pbx/domain-dialplan';
import { parseProvisioning } from '@pbx/provisioning';

const loaded = parseProvisioning(readFileSync(join(__dirname, '../deploy/demo/provisioning.yaml'), 'utf8'));
if (!loaded.ok) throw new Error(`demo provisioning is invalid: ${JSON.stringify(loaded.errors)}`);
const provisioning = loaded.provisioning;

type Case = [dialed: string, caller: CallerEndpoint, context?: DialContext];
const soft: CallerEndpoint = { kind: 'extension', extension: '1001' };
const hard: CallerEndpoint = { kind: 'extension', extension: '1002' };
const mobile: CallerEndpoint = { kind: 'extension', extension: '2001' };
const trunk: CallerEndpoint = { kind: 'trunk', trunkId: 'carrier-a', callerNumber: '09011112222' };
const peer: CallerEndpoint = { kind: 'peer', prefix: '12', extension: '2099' };

const classes: Record<string, Case[]> = {
  'extension (D-1)': [['1002', soft], ['1001', hard], ['1003', soft]],
  'mobile extension (D-3)': [['2001', soft], ['2002', hard]],
  'group of 5 (D-3 per member)': [['6002', soft], ['6001', hard]],
  'call center (D-5)': [['5001', soft]],
  'external via trunk (N-2)': [['0312349999', soft], ['09099998888', hard]],
  'DID inbound from trunk': [['0312345678', trunk], ['0312345679', trunk], ['0501234567', trunk]],
  'pickup / park (N-3, N-4)': [['91002', soft], ['701', hard], ['700', soft, { midCall: true }]],
  'federation (N-5, D-2)': [['122099', soft], ['1001', peer]],
  'mobile 8 escape (N-6, M-1)': [['81001', mobile], ['80312349999', mobile], ['891002', mobile]],
  'rejected 400/404/484 (N-7)': [['4999', soft], ['100', soft], ['10a1', soft], ['132001', soft], ['', soft]],
};
const mix: Case[] = Object.values(classes).flat();

function measure(label: string, cases: Case[]): number {
  let sink = 0;
  const run = () => {
    for (const [dialed, caller, context] of cases) sink += decideRoute(dialed, caller, provisioning, context).kind.length;
    return cases.length;
  };
  const warmUntil = Date.now() + 300; // let the JIT compile the hot path first
  while (Date.now() < warmUntil) for (let i = 0; i < 100; i++) run();
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    let ops = 0;
    while (process.hrtime.bigint() - t0 < 300_000_000n) for (let i = 0; i < 100; i++) ops += run();
    rates.push(ops / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  rates.sort((a, b) => a - b);
  const median = rates[2];
  console.log(`${label.padEnd(34)} ${Math.round(median).toLocaleString('en-US').padStart(12)} decisions/s  (${(1e9 / median).toFixed(0)} ns each; min ${Math.round(rates[0]).toLocaleString('en-US')}, max ${Math.round(rates[4]).toLocaleString('en-US')})`);
  if (sink === -1) console.log('unreachable');
  return median;
}

console.log(`dialplan decider — node ${process.version}, ${mix.length} dial strings in the mix, demo provisioning`);
const mixed = measure('mix of all classes', mix);
for (const [label, cases] of Object.entries(classes)) measure(label, cases);
console.log(`\nmix: ${Math.round(mixed).toLocaleString('en-US')} route decisions/s (target ≥ 500,000/s: ${mixed >= 500_000 ? 'met' : 'NOT met'})`);
