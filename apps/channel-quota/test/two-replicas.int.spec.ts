import { CHANNEL_QUOTA_RELEASE, CHANNEL_QUOTA_RESERVE, CHANNEL_QUOTA_USAGE, healthReportSchema, healthSubject, releaseChannelReplySchema, reserveChannelReplySchema, usageReplySchema } from '@pbx/contracts';
import { NatsBus, RemoteError, RunningService } from '@pbx/service-kit';
import { eventually, testNatsUrl } from '@pbx/testing';
import { ChannelPoolService } from '../src/pool/channel-pool.service';
import { bootReplica, createQuotaDatabase, peakHeld, quotaConfig, readPoolEvents, trunkLeg, writeProvisioning } from './support';

// SPEC Q-4: reservation is atomic under any concurrency, with two replicas in the queue group.
describe('channel-quota: two replicas share one pool (SPEC Q-1, Q-4)', () => {
  const LIMIT = 10;
  let databaseUrl: string;
  let serverId: string;
  let replicas: RunningService[] = [];
  let bus: NatsBus;

  beforeAll(async () => {
    databaseUrl = await createQuotaDatabase();
    const provisioning = writeProvisioning({ channelLimit: LIMIT, mobileChannelLimit: 2 });
    serverId = provisioning.serverId;
    const env = { DATABASE_URL: databaseUrl, PROVISIONING_FILE: provisioning.file, POOL_BOOKS_EVENTS: '10', REAPER_TAKEOVER_GRACE_MS: '0' };
    replicas = await Promise.all([bootReplica(quotaConfig({ ...env, INSTANCE_ID: 'replica-a' })), bootReplica(quotaConfig({ ...env, INSTANCE_ID: 'replica-b' }))]);
    bus = await NatsBus.connect(testNatsUrl(), 'cq-two-replicas');
  });
  afterAll(async () => {
    await bus?.close();
    await Promise.all(replicas.map((r) => r.close()));
  });

  const usage = () => bus.request(CHANNEL_QUOTA_USAGE, {}, usageReplySchema);

  it(`grants exactly ${LIMIT} of 100 simultaneous reserves; the other 90 hear QUOTA.EXCEEDED; never more than ${LIMIT} held`, async () => {
    let sampling = true;
    const samples: number[] = [];
    const sampler = (async () => {
      while (sampling) samples.push((await usage()).pools.channel.held);
    })();

    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => bus.request(CHANNEL_QUOTA_RESERVE, trunkLeg(`burst-${i}`), reserveChannelReplySchema, { timeoutMs: 5_000 })));
    sampling = false;
    await sampler;

    const granted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as RemoteError] : []));
    expect(granted).toHaveLength(LIMIT);
    expect(refused).toHaveLength(90);
    for (const e of refused) {
      expect(e).toBeInstanceOf(RemoteError);
      expect(e).toMatchObject({ code: 'QUOTA.EXCEEDED', details: { pool: 'channel', limit: LIMIT } });
      expect(e.message).toMatch(/channel limit \(同時通話数\) of 10/);
    }
    expect(samples.length).toBeGreaterThan(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(LIMIT);

    const view = await usage();
    expect(view.pools.channel).toEqual({ limit: LIMIT, held: LIMIT });
    expect(view.legs).toHaveLength(LIMIT);
    expect(view.legs[0]).toMatchObject({ pool: 'channel', direction: 'inbound', farEnd: { kind: 'trunk' }, localParty: '0312345678' });
    expect(peakHeld(await readPoolEvents(databaseUrl, serverId))).toBe(LIMIT);
  });

  it('both replicas answer (one forwards to the writer), and they agree on the pool', async () => {
    const seen = new Set<string>();
    await eventually('both replicas answering', async () => {
      seen.add((await bus.request(healthSubject('channel-quota'), {}, healthReportSchema)).instance);
      return seen.size >= 2;
    });
    const views = await Promise.all(Array.from({ length: 10 }, () => usage()));
    for (const v of views) expect(v.pools.channel.held).toBe(LIMIT);
  });

  it('releases all: the pool is empty, a second release stays quiet', async () => {
    const held = (await usage()).legs.map((l) => l.legId);
    const replies = await Promise.all(held.map((legId) => bus.request(CHANNEL_QUOTA_RELEASE, { legId, reason: 'bye' }, releaseChannelReplySchema)));
    expect(replies.every((r) => r.released && r.pool === 'channel')).toBe(true);
    expect((await usage()).pools.channel).toEqual({ limit: LIMIT, held: 0 });
    expect((await usage()).legs).toEqual([]);
    await expect(bus.request(CHANNEL_QUOTA_RELEASE, { legId: held[0] }, releaseChannelReplySchema)).resolves.toEqual({ legId: held[0], released: false, pool: null });
  });

  it('keeps the invariant across closed books and a handover of the writer role', async () => {
    // POOL_BOOKS_EVENTS=10: the pool stream has rotated several times by now.
    const round = async (tag: string) => {
      const r = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => bus.request(CHANNEL_QUOTA_RESERVE, trunkLeg(`${tag}-${i}`), reserveChannelReplySchema, { timeoutMs: 5_000 })));
      return r.filter((x) => x.status === 'fulfilled').length;
    };
    expect(await round('before')).toBe(LIMIT);
    const events = await readPoolEvents(databaseUrl, serverId);
    expect(events.some((e) => e.type === 'ChannelPoolBooksClosed')).toBe(true);

    // Whichever replica writes, shut it down: the other takes the pool over from the store.
    const writerIndex = replicas.findIndex((r) => r.app.get(ChannelPoolService, { strict: false }).isWriter);
    expect(writerIndex).toBeGreaterThanOrEqual(0);
    await replicas[writerIndex].close();
    replicas = replicas.filter((_, i) => i !== writerIndex);

    await eventually('the other replica serving the pool', async () => (await usage()).pools.channel.held === LIMIT, 15_000);
    expect(await round('after')).toBe(0); // still full: nothing was lost in the takeover
    const all = await readPoolEvents(databaseUrl, serverId);
    expect(peakHeld(all)).toBe(LIMIT);
  });
});
