// SIP transaction layer throughput: complete INVITE server transactions per second on one
// core, with the real timer host (setTimeout, unref'd). One transaction = INVITE in →
// 100 Trying, 180 Ringing, 200 OK (To tag, Contact, SDP) from the TU → ACK in (a new
// branch, matched by Call-ID, CSeq and To tag, RFC 6026). Messages are parsed before the
// clock starts (the parser has its own bench); the TU's createResponse() calls are timed.
// Each line runs in a child process of its own, so that one line's live transactions and
// garbage do not weigh on the next. Prints figures; never fails on timing.
// Run: node --require ./tools/run-ts.cjs bench/sip-transactions.bench.ts [seconds per line = 3]

import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { createResponse, parseMessage, Peer, serialize, ServerTransaction, SipRequest, TransactionLayer } from '@pbx/sip';

const SECONDS = Number(process.argv[2] ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);

const sdp = 'v=0\r\no=bob 2890844527 2890844527 IN IP4 192.0.2.4\r\ns=-\r\nc=IN IP4 192.0.2.4\r\nt=0 0\r\nm=audio 3456 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n';

function invite(n: number, transport: string): string {
  const body = sdp.replace('bob', 'alice');
  return (
    'INVITE sip:bob@biloxi.example.com SIP/2.0\r\n' +
    `Via: SIP/2.0/${transport} pc33.atlanta.example.com:5060;branch=z9hG4bKinv${n};rport\r\n` +
    'Max-Forwards: 70\r\n' +
    'To: Bob <sip:bob@biloxi.example.com>\r\n' +
    `From: "Alice A." <sip:alice@atlanta.example.com>;tag=f${n}\r\n` +
    `Call-ID: c${n}@pc33.atlanta.example.com\r\n` +
    'CSeq: 314159 INVITE\r\n' +
    'Contact: <sip:alice@pc33.atlanta.example.com:5060>\r\n' +
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n' +
    'Content-Type: application/sdp\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
    body
  );
}

function ack(n: number, transport: string): string {
  return (
    'ACK sip:bob@192.0.2.4 SIP/2.0\r\n' +
    `Via: SIP/2.0/${transport} pc33.atlanta.example.com:5060;branch=z9hG4bKack${n};rport\r\n` +
    'Max-Forwards: 70\r\n' +
    'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n' +
    `From: "Alice A." <sip:alice@atlanta.example.com>;tag=f${n}\r\n` +
    `Call-ID: c${n}@pc33.atlanta.example.com\r\n` +
    'CSeq: 314159 ACK\r\n' +
    'Content-Length: 0\r\n\r\n'
  );
}

function parseBytes(bytes: Buffer): SipRequest {
  const r = parseMessage(bytes);
  if (!r.ok || r.message.kind !== 'request') throw new Error(`bench message does not parse: ${r.ok ? 'a response' : r.error.reason}`);
  return r.message;
}

interface Line {
  label: string;
  peer: Peer;
  /** Wire to wire: parse the INVITE and the ACK inside the timed region and serialize every outgoing response, as the transports will. */
  wire: boolean;
  T1?: number;
}

const CONTACT: [string, string][] = [
  ['Contact', '<sip:bob@192.0.2.4:5060>'],
  ['Content-Type', 'application/sdp'],
];

async function run(line: Line, seq: { n: number }): Promise<void> {
  let bytes = 0;
  let acks = 0;
  let terminated = 0;
  const layer = new TransactionLayer({
    timers: line.T1 === undefined ? undefined : { T1: line.T1, T2: Math.max(line.T1 * 8, 40) },
    send: line.wire ? (m) => void (bytes += serialize(m).length) : () => undefined,
    tu: {
      onRequest(req: SipRequest, tx: ServerTransaction | undefined) {
        if (tx === undefined) {
          acks++;
          return;
        }
        tx.onTerminated = () => void terminated++;
        tx.respond(createResponse(req, 100));
        tx.respond(createResponse(req, 180, undefined, undefined, { toTag: 'a6c85cf' }));
        tx.respond(createResponse(req, 200, undefined, CONTACT, { toTag: 'a6c85cf', body: sdp }));
      },
      onCancel() {},
    },
  });
  const transport = line.peer.protocol.toUpperCase();
  const rates: number[] = [];
  let done = 0;
  let busyNs = 0;
  const wall0 = process.hrtime.bigint();
  const warmUntil = Date.now() + 1000;
  const stopAt = warmUntil + SECONDS * 1000;
  for (;;) {
    const now = Date.now();
    if (now >= stopAt) break;
    let t0: bigint;
    if (line.wire) {
      const inviteBytes: Buffer[] = [];
      const ackBytes: Buffer[] = [];
      for (let i = 0; i < BATCH; i++) {
        const n = ++seq.n;
        inviteBytes.push(Buffer.from(invite(n, transport)));
        ackBytes.push(Buffer.from(ack(n, transport)));
      }
      t0 = process.hrtime.bigint();
      for (let i = 0; i < BATCH; i++) {
        layer.receive(parseBytes(inviteBytes[i]), line.peer);
        layer.receive(parseBytes(ackBytes[i]), line.peer);
      }
    } else {
      const invites: SipRequest[] = [];
      const ackList: SipRequest[] = [];
      for (let i = 0; i < BATCH; i++) {
        const n = ++seq.n;
        invites.push(parseBytes(Buffer.from(invite(n, transport))));
        ackList.push(parseBytes(Buffer.from(ack(n, transport))));
      }
      t0 = process.hrtime.bigint();
      for (let i = 0; i < BATCH; i++) {
        layer.receive(invites[i], line.peer);
        layer.receive(ackList[i], line.peer);
      }
    }
    const ns = Number(process.hrtime.bigint() - t0);
    if (now >= warmUntil) {
      rates.push((BATCH * 1e9) / ns);
      done += BATCH;
      busyNs += ns;
    }
    await new Promise((r) => setImmediate(r)); // let due timers (2xx retransmit clears, Timer L) run
  }
  const wallS = Number(process.hrtime.bigint() - wall0) / 1e9;
  if (acks < done) throw new Error(`only ${acks} ACKs reached the TU for ${done} INVITEs`);
  rates.sort((a, b) => a - b);
  const live = layer.counts().server;
  const heapMb = process.memoryUsage().heapUsed / 1048576;
  console.log(
    `${line.label.padEnd(58)} median burst ${fmt(rates[Math.floor(rates.length / 2)]).padStart(7)} tx/s (${(1e6 / rates[Math.floor(rates.length / 2)]).toFixed(2)} µs)  ` +
      `busy average ${fmt((done * 1e9) / busyNs)}/s  live at end ${fmt(live)} (terminated ${fmt(terminated)}), heap ${heapMb.toFixed(0)} MB` +
      (bytes > 0 ? `, ${fmt(bytes / acks)} B out per tx` : '') +
      `  [${fmt(done)} tx, ${wallS.toFixed(1)} s wall]`,
  );
  layer.close();
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const udp: Peer = { protocol: 'udp', address: '192.0.2.10', port: 5060 };
const tcp: Peer = { protocol: 'tcp', address: '192.0.2.10', port: 5060, connectionId: 'c1' };
const LINES: Line[] = [
  { label: 'UDP: 2xx retransmission timer and Timer L armed per tx', peer: udp, wire: false },
  { label: 'TCP: Timer L only', peer: tcp, wire: false },
  { label: 'UDP, T1 = 5 ms (Timer L 320 ms: steady state with expiry)', peer: udp, wire: false, T1: 5 },
  { label: 'UDP, wire to wire (parse INVITE + ACK, serialize 100/180/200)', peer: udp, wire: true },
];

async function main(): Promise<void> {
  const only = process.env.BENCH_LINE;
  if (only !== undefined) {
    await run(LINES[Number(only)], { n: 0 });
    return;
  }
  console.log(`node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${SECONDS} s per line after 1 s warm-up, batches of ${BATCH}, each line in its own process`);
  for (let i = 0; i < LINES.length; i++) {
    execFileSync(process.execPath, [...process.execArgv, __filename, String(SECONDS)], { env: { ...process.env, BENCH_LINE: String(i) }, stdio: 'inherit' });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
