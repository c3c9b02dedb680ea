import { CHANNEL_QUOTA_RELEASE, CHANNEL_QUOTA_RESERVE, CHANNEL_QUOTA_USAGE, releaseChannelReplySchema, reserveChannelReplySchema, usageReplySchema } from '@pbx/contracts';
import { createEventStore, EventStore, Relay, startRelay } from '@pbx/event-store';
import { NatsBus, RunningService } from '@pbx/service-kit';
import { eventually, testNatsUrl } from '@pbx/testing';
import { applyLimits, bootReplica, createQuotaDatabase, quotaConfig, trunkLeg, writeProvisioning } from './support';

// Issue #4: a new provisioning changes the limits (SPEC Q-1) of a running channel-quota without a
// restart. Held leases are kept; a lowered limit refuses new reservations until usage falls
// under it (docs/provisioning.md). Real store, relay and NATS.
describe('channel limits follow the applied provisioning', () => {
  let databaseUrl: string;
  let file: string;
  let store: EventStore;
  let relay: Relay;
  let service: RunningService | undefined;
  let bus: NatsBus;
  const reserve = (legId: string) => bus.request(CHANNEL_QUOTA_RESERVE, trunkLeg(legId), reserveChannelReplySchema);
  const release = (legId: string) => bus.request(CHANNEL_QUOTA_RELEASE, { legId }, releaseChannelReplySchema);
  const usage = () => bus.request(CHANNEL_QUOTA_USAGE, {}, usageReplySchema);
  const limitIs = (n: number) => eventually(`the channel limit to be ${n}`, async () => (await usage()).pools.channel.limit === n);
  const boot = async () => {
    service = await bootReplica(quotaConfig({ DATABASE_URL: databaseUrl, PROVISIONING_FILE: file, REAPER_TAKEOVER_GRACE_MS: '600000' }));
  };

  beforeAll(async () => {
    databaseUrl = await createQuotaDatabase();
    file = writeProvisioning({ channelLimit: 2, mobileChannelLimit: 1 }).file;
    store = createEventStore({ connectionString: databaseUrl, poolSize: 2 });
    relay = await startRelay({ connectionString: databaseUrl, nats: testNatsUrl() });
    bus = await NatsBus.connect(testNatsUrl(), 'cq-live-limits');
    await boot(); // nothing stored yet: the file's limits
  });
  afterAll(async () => {
    await bus?.close();
    await service?.close();
    await relay?.stop();
    await store?.close();
  });

  it('starts on the file: limit 2', async () => {
    await reserve('a');
    await reserve('b');
    await expect(reserve('c')).rejects.toMatchObject({ code: 'QUOTA.EXCEEDED', details: { pool: 'channel', limit: 2 } });
  });

  it('a raised limit grants at once', async () => {
    await applyLimits(store, file, { channelLimit: 3, mobileChannelLimit: 1 });
    await limitIs(3);
    await expect(reserve('c')).resolves.toMatchObject({ pool: 'channel', pools: { channel: { limit: 3, held: 3 } } });
  });

  it('a lowered limit keeps every held lease and refuses new ones until usage is under it', async () => {
    await applyLimits(store, file, { channelLimit: 1, mobileChannelLimit: 0 });
    await limitIs(1);
    const u = await usage();
    expect(u.pools).toEqual({ channel: { limit: 1, held: 3 }, 'mobile-channel': { limit: 0, held: 0 } });
    expect(u.legs.map((l) => l.legId).sort()).toEqual(['a', 'b', 'c']);

    await expect(reserve('d')).rejects.toMatchObject({ code: 'QUOTA.EXCEEDED', details: { limit: 1 } });
    await release('a');
    await release('b');
    await expect(reserve('d')).rejects.toMatchObject({ code: 'QUOTA.EXCEEDED' }); // held 1, limit 1
    await release('c');
    await expect(reserve('d')).resolves.toMatchObject({ pools: { channel: { limit: 1, held: 1 } } });
    await expect(bus.request(CHANNEL_QUOTA_RESERVE, trunkLeg('m', { farEnd: { kind: 'mobile', extension: '2001' } }), reserveChannelReplySchema)).rejects.toMatchObject({
      code: 'QUOTA.EXCEEDED',
      details: { pool: 'mobile-channel', limit: 0 },
    });
  });

  it('shows the limits and the provisioning version in /metrics', async () => {
    const text = await (await fetch(`${service!.httpUrl}/metrics`)).text();
    expect(text).toMatch(/pbx_channel_quota_limit\{pool="channel"[^}]*\} 1\n/);
    expect(text).toMatch(/pbx_channel_quota_provisioning_version\{[^}]*\} 2\n/);
  });

  it('a restart boots on the stored limits, not the older file', async () => {
    await service!.close();
    service = undefined;
    await boot();
    await expect(usage()).resolves.toMatchObject({ pools: { channel: { limit: 1, held: 1 } } });
    await expect(reserve('e')).rejects.toMatchObject({ code: 'QUOTA.EXCEEDED', details: { limit: 1 } });
  });
});
