import { CHANNEL_QUOTA_DISCONNECT, CHANNEL_QUOTA_RESERVE, disconnectLegReplySchema, reserveChannelReplySchema, SIP_EDGE_HANGUP } from '@pbx/contracts';
import { NatsBus, RunningService } from '@pbx/service-kit';
import { testNatsUrl } from '@pbx/testing';
import { bootReplica, createQuotaDatabase, quotaConfig, trunkLeg, writeProvisioning } from '../../test/support';

// SPEC Q-6 / C-6: a system admin disconnects a leg from the usage view; sip-edge ends it.
describe('admin disconnect (SPEC Q-6, C-6)', () => {
  let service: RunningService;
  let bus: NatsBus;

  beforeAll(async () => {
    const p = writeProvisioning({ channelLimit: 5, mobileChannelLimit: 0 });
    service = await bootReplica(quotaConfig({ DATABASE_URL: await createQuotaDatabase(), PROVISIONING_FILE: p.file, HANGUP_TIMEOUT_MS: '500' }));
    bus = await NatsBus.connect(testNatsUrl(), 'cq-disconnect');
    await bus.request(CHANNEL_QUOTA_RESERVE, trunkLeg('cb-1', { farEnd: { kind: 'callback', number: '0312349999', role: 'counterpart' } }), reserveChannelReplySchema);
  });
  afterAll(async () => {
    await bus?.close();
    await service?.close();
  });

  const disconnect = (legId: string) => bus.request(CHANNEL_QUOTA_DISCONNECT, { legId, requestedBy: 'admin' }, disconnectLegReplySchema, { timeoutMs: 5_000 });

  it('answers QUOTA.HANGUP_UNAVAILABLE when no sip-edge takes the hang-up', async () => {
    await expect(disconnect('cb-1')).rejects.toMatchObject({ code: 'QUOTA.HANGUP_UNAVAILABLE', details: { subject: SIP_EDGE_HANGUP, cause: 'TRANSPORT.NO_RESPONDERS' } });
  });

  it('asks sip-edge to hang up the leg and answers the quota’s view of it', async () => {
    const asked: unknown[] = [];
    const sub = bus.connection.subscribe(SIP_EDGE_HANGUP, {
      callback: (_err, msg) => {
        asked.push(JSON.parse(msg.string()));
        msg.respond(Buffer.from(JSON.stringify({ legId: 'cb-1', ending: true })));
      },
    });
    try {
      await expect(disconnect('cb-1')).resolves.toMatchObject({ legId: 'cb-1', hangup: 'requested', leg: { legId: 'cb-1', pool: 'channel', farEnd: { kind: 'callback', role: 'counterpart' } } });
      expect(asked).toEqual([{ legId: 'cb-1', reason: 'admin-disconnect' }]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('passes sip-edge’s own refusal through', async () => {
    const sub = bus.connection.subscribe(SIP_EDGE_HANGUP, { callback: (_err, msg) => msg.respond(Buffer.from(JSON.stringify({ error: { code: 'SIP.UNKNOWN_LEG', message: 'no such leg' } }))) });
    try {
      await expect(disconnect('cb-1')).rejects.toMatchObject({ code: 'SIP.UNKNOWN_LEG' });
    } finally {
      sub.unsubscribe();
    }
  });

  it('answers QUOTA.LEASE_NOT_HELD for a leg that holds no channel, and asks sip-edge nothing', async () => {
    await expect(disconnect('nobody')).rejects.toMatchObject({ code: 'QUOTA.LEASE_NOT_HELD', details: { legId: 'nobody' } });
  });

  it('answers CONTRACT.INVALID_PAYLOAD without the admin’s name', async () => {
    await expect(bus.request(CHANNEL_QUOTA_DISCONNECT, { legId: 'cb-1' }, disconnectLegReplySchema)).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD' });
  });
});
