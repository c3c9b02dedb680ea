import { createSocket } from 'node:dgram';
import { EdgeStack, startEdgeStack } from './support/edge-stack';
import { udpExchange } from './support/udp';

// SPEC B-1 against the running sip-edge: malformed SIP gets 400 naming the fault (or is dropped
// and counted when it cannot be answered), Max-Forwards 0 → 483, unknown method → 501,
// unsupported Require → 420; a flood of garbage neither crashes it nor grows it without bound.

const request = (lines: string[]): string => [...lines, '', ''].join('\r\n');
const base = (method: string, extra: string[] = [], cseqMethod = method): string[] => [
  `${method} sip:1002@127.0.0.1 SIP/2.0`,
  'Via: SIP/2.0/UDP 127.0.0.1:LOCALPORT;branch=z9hG4bK' + Math.random().toString(36).slice(2) + ';rport',
  'From: <sip:probe@127.0.0.1>;tag=p1',
  'To: <sip:1002@127.0.0.1>',
  `Call-ID: bad-${Math.random().toString(36).slice(2)}`,
  `CSeq: 1 ${cseqMethod}`,
  ...extra,
  'Content-Length: 0',
];

async function metric(stack: EdgeStack, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${stack.httpUrl}/metrics`)).text();
  const wanted = labels.replace(/^\{|\}$/g, '');
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(wanted));
  return line === undefined ? NaN : Number(line.split(' ').at(-1));
}

function mutate(msg: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(msg);
  const kind = Math.floor(rnd() * 6);
  if (kind === 0) {
    for (let i = 0; i < 1 + rnd() * 8; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    return b;
  }
  if (kind === 1) return b.subarray(0, Math.floor(rnd() * b.length));
  if (kind === 2) {
    const at = Math.floor(rnd() * b.length);
    return Buffer.concat([b.subarray(0, at), Buffer.from(':;<>"\\\r\n,@'.repeat(1 + Math.floor(rnd() * 5))), b.subarray(at)]);
  }
  if (kind === 3) {
    const text = b.toString('latin1');
    const lines = text.split('\r\n');
    const i = 1 + Math.floor(rnd() * (lines.length - 3));
    lines.splice(i, 0, lines[i]);
    return Buffer.from(lines.join('\r\n'), 'latin1');
  }
  if (kind === 4) return Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 1400) }, () => Math.floor(rnd() * 256)));
  return Buffer.from(b.toString('latin1').replace(/Content-Length: 0/, `Content-Length: ${Math.floor(rnd() * 99999)}`), 'latin1');
}

async function flood(port: number, count: number, seed: number): Promise<void> {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const valid = ['INVITE', 'OPTIONS', 'REGISTER', 'BYE', 'CANCEL', 'ACK'].map((m) => Buffer.from(request(base(m, m === 'INVITE' ? ['Contact: <sip:probe@127.0.0.1>'] : [])).replace('LOCALPORT', '9'), 'latin1'));
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  try {
    for (let i = 0; i < count; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, count - i) }, () => new Promise<void>((r) => sock.send(mutate(valid[Math.floor(rnd() * valid.length)], rnd), port, '127.0.0.1', () => r()))),
      );
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    sock.close();
  }
}

describe('sip-edge bad input (SPEC B-1)', () => {
  let stack: EdgeStack;
  beforeAll(async () => {
    stack = await startEdgeStack({ quota: false });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers a request with a malformed header 400 with a reason naming the fault', async () => {
    const res = await udpExchange(stack.sipPort, request(base('OPTIONS', ['Max-Forwards: lots'])));
    expect(res).toMatch(/^SIP\/2\.0 400 Bad Request - [^\r]*Max-Forwards/i);
  });

  it('answers Max-Forwards: 0 with 483', async () => {
    const res = await udpExchange(stack.sipPort, request(base('INVITE', ['Max-Forwards: 0', 'Contact: <sip:probe@127.0.0.1>'])));
    expect(res).toMatch(/^SIP\/2\.0 483 /);
  });

  it('answers an unknown method with 501 and Allow', async () => {
    const res = await udpExchange(stack.sipPort, request(base('FROBNICATE')));
    expect(res).toMatch(/^SIP\/2\.0 501 /);
    expect(res).toMatch(/\r\nAllow: /);
  });

  it('answers an unsupported Require with 420 and Unsupported naming it', async () => {
    const res = await udpExchange(stack.sipPort, request(base('OPTIONS', ['Require: 100rel, x-frob'])));
    expect(res).toMatch(/^SIP\/2\.0 420 /);
    expect(res).toMatch(/\r\nUnsupported: 100rel, x-frob\r\n/);
  });

  it('answers a CSeq method that differs from the request method with 400', async () => {
    const res = await udpExchange(stack.sipPort, request(base('OPTIONS', [], 'INVITE')));
    expect(res).toMatch(/^SIP\/2\.0 400 /);
  });

  it('drops and counts a datagram it cannot answer', async () => {
    const before = await metric(stack, 'pbx_sip_messages', '{fate="dropped"}');
    const res = await udpExchange(stack.sipPort, '\x00\x01garbage that is not SIP', 500);
    expect(res).toBeUndefined();
    const after = await metric(stack, 'pbx_sip_messages', '{fate="dropped"}');
    expect(after).toBe((Number.isNaN(before) ? 0 : before) + 1);
  });

  it('survives 100,000 random and mutated messages without crashing or growing without bound', async () => {
    const rss0 = await metric(stack, 'pbx_process_resident_memory_bytes');
    await flood(stack.sipPort, 50_000, 1);
    const rss1 = await metric(stack, 'pbx_process_resident_memory_bytes');
    await flood(stack.sipPort, 50_000, 2);
    const rss2 = await metric(stack, 'pbx_process_resident_memory_bytes');
    process.stdout.write(`[bad-input] RSS ${(rss0 / 1e6).toFixed(0)} MB → ${(rss1 / 1e6).toFixed(0)} MB after 50k → ${(rss2 / 1e6).toFixed(0)} MB after 100k\n`);
    expect(stack.edge.child.exitCode).toBeNull();
    // still serving
    const res = await udpExchange(stack.sipPort, request(base('OPTIONS')));
    expect(res).toMatch(/^SIP\/2\.0 200 /);
    expect((await fetch(`${stack.httpUrl}/health`)).status).toBe(200);
    // the second 50k costs no more than the first: memory is bounded, not leaking per message
    expect(rss2 - rss1).toBeLessThan(Math.max(64e6, rss1 - rss0));
    expect(await metric(stack, 'pbx_sip_messages', '{fate="rejected"}')).toBeGreaterThan(1_000);
    expect(await metric(stack, 'pbx_sip_messages', '{fate="dropped"}')).toBeGreaterThan(1_000);
  }, 180_000);
});
