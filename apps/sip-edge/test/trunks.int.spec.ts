import { createSocket, Socket } from 'node:dgram';
import { eventually } from '@pbx/testing';
import { EdgeStack, startEdgeStack } from './support/edge-stack';

// Carrier trunks are watched with OPTIONS keep-alives (issue #3): any final answer means up,
// a transaction timeout (Timer F = 64×T1; T1 is 50 ms here) means down.

async function trunkUp(stack: EdgeStack): Promise<number | undefined> {
  const text = await (await fetch(`${stack.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('pbx_sip_trunk_up{') && l.includes('trunk="carrier-a"'));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

/** A carrier that answers every OPTIONS with 200 and counts them. */
async function carrier(port: number): Promise<{ socket: Socket; options: () => number }> {
  const socket = createSocket('udp4');
  let options = 0;
  socket.on('message', (m, from) => {
    const text = m.toString('latin1');
    if (!text.startsWith('OPTIONS ')) return;
    options++;
    const rows = text.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
    const reply = ['SIP/2.0 200 OK', ...rows.map((r) => (/^To:/i.test(r) ? `${r};tag=carrier` : r)), 'Content-Length: 0', '', ''].join('\r\n');
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((r) => socket.bind(port, '127.0.0.1', () => r()));
  return { socket, options: () => options };
}

describe('trunk OPTIONS keep-alive', () => {
  let stack: EdgeStack;
  beforeAll(async () => {
    stack = await startEdgeStack({ quota: false, edgeEnv: { TRUNK_OPTIONS_SECONDS: '1', SIP_T1_MS: '50' } });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('reports the trunk down while nothing answers, up once the carrier answers OPTIONS, and down again when it stops', async () => {
    await eventually('trunk down (no carrier yet)', async () => (await trunkUp(stack)) === 0, 10_000, 100);
    const c = await carrier(stack.trunkPort);
    try {
      await eventually('trunk up', async () => (await trunkUp(stack)) === 1, 10_000, 100);
      expect(c.options()).toBeGreaterThanOrEqual(1);
    } finally {
      c.socket.close();
    }
    await eventually('trunk down again', async () => (await trunkUp(stack)) === 0, 15_000, 100);
    expect(stack.edgeLog()).toMatch(/"trunk":"carrier-a","state":"down"/);
  }, 60_000);
});
