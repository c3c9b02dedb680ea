import { CHANNEL_QUOTA_RELEASE, CHANNEL_QUOTA_RENEW, CHANNEL_QUOTA_RESERVE, CHANNEL_QUOTA_USAGE, releaseChannelReplySchema, renewLeasesReplySchema, reserveChannelReplySchema, usageReplySchema } from '@pbx/contracts';
import { NatsBus, RemoteError, RunningService } from '@pbx/service-kit';
import { testNatsUrl } from '@pbx/testing';
import { bootReplica, createQuotaDatabase, quotaConfig, readPoolEvents, trunkLeg, writeProvisioning } from '../../test/support';

// One replica with a clock the test moves: every time field of the reply and the events is known.
describe('reserve / renew / release over NATS (SPEC Q-2, Q-4)', () => {
  const T0 = Date.parse('2025-04-01T09:00:00.000Z');
  let now = T0;
  let databaseUrl: string;
  let serverId: string;
  let service: RunningService;
  let bus: NatsBus;

  beforeAll(async () => {
    databaseUrl = await createQuotaDatabase();
    const p = writeProvisioning({ channelLimit: 3, mobileChannelLimit: 1 });
    serverId = p.serverId;
    // The reaper would see the test clock jump: keep it out of the way.
    service = await bootReplica(quotaConfig({ DATABASE_URL: databaseUrl, PROVISIONING_FILE: p.file, LEASE_TTL_MS: '30000', REAPER_TAKEOVER_GRACE_MS: '600000' }), () => now);
    bus = await NatsBus.connect(testNatsUrl(), 'cq-reserve');
  });
  afterAll(async () => {
    await bus?.close();
    await service?.close();
  });

  const reserve = (payload: unknown) => bus.request(CHANNEL_QUOTA_RESERVE, payload, reserveChannelReplySchema);

  it('grants a trunk leg a channel as a lease of LEASE_TTL_MS, with the pool totals', async () => {
    await expect(reserve(trunkLeg('a'))).resolves.toEqual({
      legId: 'a',
      pool: 'channel',
      since: '2025-04-01T09:00:00.000Z',
      expiresAt: '2025-04-01T09:00:30.000Z',
      pools: { channel: { limit: 3, held: 1 }, 'mobile-channel': { limit: 1, held: 0 } },
    });
  });

  it('answers a retry of the same leg with the same grant and stores nothing new', async () => {
    now = T0 + 1_000;
    const before = (await readPoolEvents(databaseUrl, serverId)).length;
    await expect(reserve(trunkLeg('a'))).resolves.toMatchObject({ legId: 'a', since: '2025-04-01T09:00:00.000Z', pools: { channel: { held: 1 } } });
    expect(await readPoolEvents(databaseUrl, serverId)).toHaveLength(before);
  });

  it('a leg to a local phone holds nothing (SPEC Q-2); a mobile holds a mobile channel', async () => {
    await expect(reserve(trunkLeg('soft', { farEnd: { kind: 'softphone', extension: '1001' } }))).resolves.toMatchObject({ pool: 'none', since: null, expiresAt: null });
    await expect(reserve(trunkLeg('mob', { farEnd: { kind: 'mobile', extension: '2001' }, leaseMs: 5_000 }))).resolves.toMatchObject({
      pool: 'mobile-channel',
      expiresAt: '2025-04-01T09:00:06.000Z',
      pools: { channel: { held: 1 }, 'mobile-channel': { held: 1 } },
    });
    await expect(reserve(trunkLeg('mob2', { farEnd: { kind: 'mobile', extension: '2001' } }))).rejects.toMatchObject({ code: 'QUOTA.EXCEEDED', details: { pool: 'mobile-channel', limit: 1 } });
  });

  it('renews live legs and names the ones that hold nothing', async () => {
    now = T0 + 10_000;
    await expect(bus.request(CHANNEL_QUOTA_RENEW, { legIds: ['a', 'ghost'] }, renewLeasesReplySchema)).resolves.toEqual({
      renewed: [{ legId: 'a', expiresAt: '2025-04-01T09:00:40.000Z' }],
      notHeld: ['ghost'],
    });
  });

  it('releases: the channel is free, the usage view forgets the leg', async () => {
    now = T0 + 12_000;
    await expect(bus.request(CHANNEL_QUOTA_RELEASE, { legId: 'a', reason: 'bye' }, releaseChannelReplySchema)).resolves.toEqual({ legId: 'a', released: true, pool: 'channel' });
    const usage = await bus.request(CHANNEL_QUOTA_USAGE, {}, usageReplySchema);
    expect(usage.pools.channel.held).toBe(0);
    expect(usage.legs.map((l) => l.legId)).toEqual(['mob']);
  });

  it('stores who and what for every change (SPEC Q-6), correlated by the call’s request id', async () => {
    const events = await readPoolEvents(databaseUrl, serverId);
    expect(events.map((e) => e.type)).toEqual(['ChannelReserved', 'ChannelReserved', 'ChannelLeaseRenewed', 'ChannelReleased']);
    expect(events[0]).toMatchObject({
      streamName: `channel-pool-${serverId}_e1`,
      data: { legId: 'a', pool: 'channel', callId: 'call-a', requestId: 'req-a', direction: 'inbound', farEnd: { kind: 'trunk', trunkId: 'carrier-a' }, localParty: '0312345678', at: '2025-04-01T09:00:00.000Z' },
      metadata: { correlationId: 'req-a' },
    });
    expect(events[3].data).toMatchObject({ legId: 'a', at: '2025-04-01T09:00:12.000Z', since: '2025-04-01T09:00:00.000Z', reason: 'bye' });
  });

  it('answers a bad payload with CONTRACT.INVALID_PAYLOAD naming the fields', async () => {
    const err = (await reserve({ legId: '', direction: 'sideways', farEnd: { kind: 'fax' }, leaseMs: 10 }).catch((e: unknown) => e)) as RemoteError;
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.code).toBe('CONTRACT.INVALID_PAYLOAD');
    for (const field of ['legId', 'callId', 'direction', 'farEnd', 'leaseMs']) expect(err.message).toContain(field);
    const raw = await bus.connection.request(CHANNEL_QUOTA_RELEASE, Buffer.from('{not json'));
    expect(JSON.parse(raw.string())).toMatchObject({ error: { code: 'CONTRACT.INVALID_PAYLOAD' } });
    await expect(bus.request(CHANNEL_QUOTA_RENEW, { legIds: [] }, renewLeasesReplySchema)).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD' });
  });
});
