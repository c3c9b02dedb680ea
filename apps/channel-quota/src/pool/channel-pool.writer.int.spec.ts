import pino from 'pino';
import { channelPoolDecider, ChannelPoolCommand } from '@pbx/domain-channel';
import { createEventStore, EventStore } from '@pbx/event-store';
import { uniqueName } from '@pbx/testing';
import { createQuotaDatabase, peakHeld, readPoolEvents } from '../../test/support';
import { ChannelPoolWriter } from './channel-pool.writer';

// The pool lock picks one writer, but correctness must not depend on it (docs/channel-quota.md):
// here two writers believe they hold the pool at once (a writer that lost its lock without
// noticing, and its successor) and take turns on the same streams.
describe('ChannelPoolWriter: two writers at once never oversubscribe (SPEC Q-4)', () => {
  const LIMIT = 10;
  const limits = { channel: LIMIT, 'mobile-channel': 0 };
  let databaseUrl: string;
  let store: EventStore;

  beforeAll(async () => {
    databaseUrl = await createQuotaDatabase();
    store = createEventStore({ connectionString: databaseUrl, poolSize: 8 });
  });
  afterAll(async () => {
    await store?.close();
  });

  const writer = (serverId: string, booksEvents: number) =>
    new ChannelPoolWriter({ store, decider: channelPoolDecider(limits), limits, serverId, booksEvents, maxBatch: 16, clock: Date.now, logger: pino({ level: 'silent' }) });
  const reserve = (legId: string): ChannelPoolCommand => ({ type: 'ReserveChannel', legId, pool: 'channel', callId: `call-${legId}`, direction: 'inbound', farEnd: { kind: 'trunk', trunkId: 'carrier-a' }, leaseMs: 30_000, now: Date.now() });
  const release = (legId: string): ChannelPoolCommand => ({ type: 'ReleaseChannel', legId, now: Date.now(), reason: 'bye' });

  it.each([
    ['in one stream', 100_000],
    ['while both close the books every 10 events', 10],
  ])('grants exactly the limit %s; the losing writer reloads and decides again', async (_title, booksEvents) => {
    const serverId = uniqueName('split').replace(/_/g, '-');
    const [a, b] = [writer(serverId, booksEvents), writer(serverId, booksEvents)];
    await Promise.all([a.open(), b.open()]);

    // 3 rounds: 40 legs each try for a channel through either writer, then the granted ones leave.
    for (let round = 0; round < 3; round++) {
      const legs = Array.from({ length: 40 }, (_, i) => `r${round}-${i}`);
      const outcomes = await Promise.all(legs.map((legId, i) => (i % 2 ? a : b).submit(reserve(legId), `req-${legId}`)));
      const granted = legs.filter((_, i) => outcomes[i].ok);
      expect(granted).toHaveLength(LIMIT);
      expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.error.code)).toEqual(Array.from({ length: 30 }, () => 'QUOTA.EXCEEDED'));
      const released = await Promise.all(granted.map((legId, i) => (i % 2 ? b : a).submit(release(legId), `req-${legId}`)));
      expect(released.every((o) => o.ok && o.emitted.includes('ChannelReleased'))).toBe(true);
    }

    expect(a.stats.conflicts + b.stats.conflicts).toBeGreaterThan(0);
    const events = await readPoolEvents(databaseUrl, serverId);
    expect(peakHeld(events)).toBe(LIMIT);
    expect(events.filter((e) => e.type === 'ChannelReserved')).toHaveLength(3 * LIMIT);
    if (booksEvents === 10) expect(events.filter((e) => e.type === 'ChannelPoolBooksOpened').length).toBeGreaterThan(3);
    await Promise.all([a.close(), b.close()]);
  });

  it('a new writer finds the open epoch and the leases carried into it', async () => {
    const serverId = uniqueName('epochs').replace(/_/g, '-');
    const first = writer(serverId, 10);
    await first.open();
    for (let i = 0; i < 4; i++) await first.submit(reserve(`keep-${i}`), 'req');
    for (let i = 0; i < 30; i++) {
      await first.submit(reserve(`churn-${i}`), 'req');
      await first.submit(release(`churn-${i}`), 'req');
    }
    await first.close();
    expect(first.epoch).toBeGreaterThan(5);

    const next = writer(serverId, 10);
    await next.open();
    expect(next.epoch).toBe(first.epoch);
    expect(next.view().leases.map((l) => l.legId)).toEqual(['keep-0', 'keep-1', 'keep-2', 'keep-3']);
    expect(next.view().pools.channel).toEqual({ limit: LIMIT, held: 4 });
    await next.close();
  });
});
