import { createSocket } from 'node:dgram';
import { CHANNEL_QUOTA_USAGE, usageReplySchema } from '@pbx/contracts';
import { createEventStore } from '@pbx/event-store';
import { NatsBus } from '@pbx/service-kit';
import { eventually, freePort, testNatsUrl } from '@pbx/testing';
import { DIDS, EdgeStack, readLegEvents, registerPhone, sipp, startEdgeStack, passed } from './support/edge-stack';

// Issue #4's quota tests through SIP: SPEC Q-4 (never more than the limit, never a leak) and
// Q-5 (486 with a Reason naming the limit) with SIPp calls, two channel-quota replicas, and a
// sip-edge SIGKILLed with live calls.


interface PoolEvent {
  type: string;
  data: { legId?: string };
}

async function poolEvents(databaseUrl: string, serverId: string): Promise<PoolEvent[]> {
  const store = createEventStore({ connectionString: databaseUrl, poolSize: 1 });
  try {
    const out: PoolEvent[] = [];
    for (let epoch = 1; ; epoch++) {
      const { events, version } = await store.readStream<PoolEvent & { type: string; data: { legId?: string } }>(`channel-pool-${serverId}_e${epoch}`);
      if (version === 0n) return out;
      out.push(...events);
    }
  } finally {
    await store.close();
  }
}

describe('channel limit through SIP (SPEC Q-4, Q-5)', () => {
  const LIMIT = 10;
  let stack: EdgeStack;
  let bus: NatsBus;
  const usage = () => bus.request(CHANNEL_QUOTA_USAGE, {}, usageReplySchema);

  beforeAll(async () => {
    stack = await startEdgeStack({ channelLimit: LIMIT, quotaReplicas: 2 });
    bus = await NatsBus.connect(testNatsUrl(), 'edge-quota-test');
  }, 120_000);
  afterAll(async () => {
    await bus?.close();
    await stack?.stop();
  });

  it('100 simultaneous inbound calls with limit 10: never more than 10 connected, the rest get 486 with a Reason naming the limit, the pool is empty afterwards', async () => {
    const phonePort = await freePort();
    await registerPhone(stack, '1002', phonePort);
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const u = await usage().catch(() => undefined);
        if (u !== undefined) peak = Math.max(peak, u.pools.channel.held);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const callee = sipp({ scenario: 'uas-answer.xml', localPort: phonePort, keys: { domain: stack.domain }, calls: LIMIT, timeoutSeconds: 40 });
    const callers = sipp({
      scenario: 'uac-call-or-busy.xml',
      remote: `127.0.0.1:${stack.sipPort}`,
      localPort: stack.trunkPort,
      service: DIDS.toPhone,
      calls: 100,
      rate: 200,
      durationMs: 3_000,
      keys: { domain: stack.domain },
      extra: ['-l', '100'],
      timeoutSeconds: 40,
    });
    const [c, d] = await Promise.all([callers.done, callee.done]);
    sampling = false;
    await sampler;
    passed(c);
    passed(d);
    expect(peak).toBeLessThanOrEqual(LIMIT);
    expect(peak).toBe(LIMIT);

    const legs = await readLegEvents(stack.databaseUrl);
    const ends = legs.filter((e) => e.type === 'LegEnded' && e.streamId.startsWith('leg-'));
    const created = legs.filter((e) => e.type === 'LegCreated' && e.data['side'] === 'a-leg');
    expect(created).toHaveLength(100);
    const aLegIds = new Set(created.map((e) => String(e.data['legId'])));
    const aEnds = ends.filter((e) => aLegIds.has(String(e.data['legId'])));
    expect(aEnds.filter((e) => e.data['cause'] === 'over-channel-limit')).toHaveLength(100 - LIMIT);
    expect(aEnds.filter((e) => e.data['cause'] === 'normal')).toHaveLength(LIMIT);
    await eventually('the pool to be empty', async () => (await usage()).pools.channel.held === 0, 10_000);
    const pool = await poolEvents(stack.databaseUrl, stack.serverId);
    const reserved = pool.filter((e) => e.type === 'ChannelReserved').length;
    const released = pool.filter((e) => e.type === 'ChannelReleased').length;
    expect(reserved).toBe(LIMIT);
    expect(released).toBe(LIMIT);
  }, 120_000);

  it('20 carrier calls cancelled at once leave no channel held and none renewed (SPEC Q-4)', async () => {
    const phonePort = await freePort();
    await registerPhone(stack, '1002', phonePort);
    const phone = sipp({ scenario: 'uas-ring-until-cancel.xml', localPort: phonePort, keys: { domain: stack.domain }, calls: 20, timeoutSeconds: 20 });
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(stack.trunkPort, '127.0.0.1', () => r()));
    try {
      const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40010 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
      for (let i = 0; i < 20; i++) {
        const common = [
          `Via: SIP/2.0/UDP 127.0.0.1:${stack.trunkPort};branch=z9hG4bKfastcancel${i}`,
          `From: <sip:0399990000@127.0.0.1>;tag=fc${i}`,
          `To: <sip:${DIDS.toPhone}@127.0.0.1>`,
          `Call-ID: fast-cancel-${i}-${Date.now()}`,
        ];
        const invite = [`INVITE sip:${DIDS.toPhone}@127.0.0.1:${stack.sipPort} SIP/2.0`, ...common, 'CSeq: 1 INVITE', `Contact: <sip:carrier@127.0.0.1:${stack.trunkPort}>`, 'Content-Type: application/sdp', `Content-Length: ${sdp.length}`, '', sdp].join('\r\n');
        const cancel = [`CANCEL sip:${DIDS.toPhone}@127.0.0.1:${stack.sipPort} SIP/2.0`, ...common, 'CSeq: 1 CANCEL', 'Content-Length: 0', '', ''].join('\r\n');
        sock.send(invite, stack.sipPort, '127.0.0.1');
        sock.send(cancel, stack.sipPort, '127.0.0.1');
      }
      // leases are 3 s and renewed while held: a leaked one would still be held after 2 TTLs
      await new Promise((r) => setTimeout(r, 6_000));
      expect((await usage()).pools.channel.held).toBe(0);
    } finally {
      sock.close();
      phone.kill();
    }
  }, 60_000);

  it('SIGKILL of sip-edge with 10 live calls: all 10 leases are reclaimed within the lease TTL and recorded as expired', async () => {
    const phonePort = await freePort();
    await registerPhone(stack, '1002', phonePort);
    const callee = sipp({ scenario: 'uas-answer.xml', localPort: phonePort, keys: { domain: stack.domain }, calls: LIMIT, timeoutSeconds: 60 });
    const callers = sipp({
      scenario: 'uac-call.xml',
      remote: `127.0.0.1:${stack.sipPort}`,
      localPort: stack.trunkPort,
      service: DIDS.toPhone,
      calls: LIMIT,
      rate: 50,
      durationMs: 60_000,
      keys: { domain: stack.domain },
      timeoutSeconds: 60,
    });
    try {
      await eventually('10 calls holding channels', async () => (await usage()).pools.channel.held === LIMIT, 20_000, 100);
      const before = await poolEvents(stack.databaseUrl, stack.serverId);
      stack.edge.child.kill('SIGKILL');
      const killedAt = Date.now();
      await eventually('every lease reclaimed', async () => (await usage()).pools.channel.held === 0, 15_000, 50);
      const reclaimedAfter = Date.now() - killedAt;
      // CHANNEL_LEASE_MS is 3,000 in the test stack: a lease renewed just before the kill lives
      // 3 s more; the reaper runs every 200 ms (seconds of slack: a loaded CI machine delays it)
      expect(reclaimedAfter).toBeLessThanOrEqual(3_000 + 3_000);
      const expired = (await poolEvents(stack.databaseUrl, stack.serverId))
        .slice(before.length)
        .filter((e) => e.type === 'ChannelLeaseExpired') as unknown as Array<{ data: { at: string; expiresAt: string; renewedAt: string } }>;
      expect(expired).toHaveLength(LIMIT);
      for (const e of expired) {
        // each lease ended one TTL after its last renewal, and was reclaimed promptly after that
        expect(Date.parse(e.data.expiresAt) - Date.parse(e.data.renewedAt)).toBe(3_000);
        expect(Date.parse(e.data.at) - Date.parse(e.data.expiresAt)).toBeLessThan(2_500);
      }
    } finally {
      callers.kill();
      callee.kill();
      await stack.startEdge();
    }
  }, 120_000);
});
