import { DomainError, foldEvents, spec } from '@pbx/domain-kernel';
import { channelPoolDecider, ChannelPoolEvent, Lease, LeaseHolder, ReserveChannel } from './index';

// Given/When/Then per command (STYLE.md): the right events, "says no", "stays quiet".
// Limits: 2 channels, 1 mobile channel. Time is injected: T0 and offsets from it.
const pool = channelPoolDecider({ channel: 2, 'mobile-channel': 1 });
const T0 = Date.parse('2025-04-01T09:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const LEASE = 30_000;

const holder = (legId: string, extra: Partial<LeaseHolder> = {}): LeaseHolder => ({
  legId,
  pool: 'channel',
  callId: `call-of-${legId}`,
  direction: 'inbound',
  farEnd: { kind: 'trunk', trunkId: 'carrier-a', number: '09011112222' },
  requestId: `req-of-${legId}`,
  ...extra,
});
const mobileHolder = (legId: string): LeaseHolder => holder(legId, { pool: 'mobile-channel', direction: 'outbound', farEnd: { kind: 'mobile', extension: '2001' } });

const reserve = (h: LeaseHolder, now = 0, leaseMs = LEASE): ReserveChannel => ({ type: 'ReserveChannel', ...h, leaseMs, now: T0 + now });
const reserved = (h: LeaseHolder, now = 0, leaseMs = LEASE): ChannelPoolEvent => ({ type: 'ChannelReserved', data: { ...h, at: at(now), expiresAt: at(now + leaseMs) } });
const renewed = (h: LeaseHolder, now: number, leaseMs = LEASE): ChannelPoolEvent => ({ type: 'ChannelLeaseRenewed', data: { ...h, at: at(now), expiresAt: at(now + leaseMs) } });
const released = (h: LeaseHolder, now: number, since = 0, reason = 'bye'): ChannelPoolEvent => ({ type: 'ChannelReleased', data: { ...h, at: at(now), since: at(since), reason } });
const lease = (h: LeaseHolder, since: number, renewed: number, leaseMs = LEASE): Lease => ({ ...h, since: at(since), renewedAt: at(renewed), expiresAt: at(renewed + leaseMs) });

const A = holder('leg-a');
const B = holder('leg-b', { direction: 'outbound', farEnd: { kind: 'peer', serverId: 'osaka-1', extension: '2099' }, localParty: '1001' });
const C = holder('leg-c', { farEnd: { kind: 'agent-external', number: '09033334444' } });
const M = mobileHolder('leg-m');

describe('ReserveChannel (SPEC Q-1, Q-4)', () => {
  it('takes a channel: ChannelReserved with who, what and the lease expiry', () =>
    spec(pool).given([reserved(A)]).when(reserve(B, 1_000)).then([reserved(B, 1_000)]));

  it('takes a mobile channel from its own pool, even with every channel held', () =>
    spec(pool).given([reserved(A), reserved(B)]).when(reserve(M, 5)).then([reserved(M, 5)]));

  it('says no over the limit: QUOTA.EXCEEDED naming the limit, with pool and limit', () => {
    spec(pool).given([reserved(A), reserved(B)]).when(reserve(C)).thenThrows('QUOTA.EXCEEDED');
    const state = foldEvents(pool, [reserved(A), reserved(B)]);
    let error: unknown;
    try {
      pool.decide(reserve(C), state);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'QUOTA.EXCEEDED', message: 'channel limit (同時通話数) of 2 reached: all 2 in use', details: { pool: 'channel', limit: 2 } });
  });

  it('says no over the mobile limit, naming the mobile channel limit', () => {
    spec(pool).given([reserved(M)]).when(reserve(mobileHolder('leg-m2'))).thenThrows('QUOTA.EXCEEDED');
    expect(() => pool.decide(reserve(mobileHolder('leg-m2')), foldEvents(pool, [reserved(M)]))).toThrow(/mobile channel limit \(モバイルチャネル\) of 1/);
  });

  it('says no with a limit of 0 (a server licensed no mobile channels)', () =>
    spec(channelPoolDecider({ channel: 1, 'mobile-channel': 0 })).given([]).when(reserve(M)).thenThrows('QUOTA.EXCEEDED'));

  it('stays quiet on a retry of the same leg’s reserve, even at the limit', () =>
    spec(pool).given([reserved(A), reserved(B)]).when(reserve(A, 2_000)).thenNothing());

  it('says no when the same leg asks for the other pool (QUOTA.LEG_CONFLICT)', () =>
    spec(pool).given([reserved(A)]).when(reserve({ ...A, pool: 'mobile-channel' })).thenThrows('QUOTA.LEG_CONFLICT'));

  it('says no to a lease of 0 ms or of more than 10 minutes', () => {
    spec(pool).given([]).when(reserve(A, 0, 0)).thenThrows('QUOTA.INVALID_LEASE');
    spec(pool).given([]).when(reserve(A, 0, 600_001)).thenThrows('QUOTA.INVALID_LEASE');
  });

  it('a channel freed by a release or an expiry can be taken again', () => {
    spec(pool).given([reserved(A), reserved(B), released(A, 10)]).when(reserve(C, 20)).then([reserved(C, 20)]);
    const expiredA: ChannelPoolEvent = { type: 'ChannelLeaseExpired', data: { ...A, at: at(40_000), since: at(0), renewedAt: at(0), expiresAt: at(LEASE) } };
    spec(pool).given([reserved(A), reserved(B), expiredA]).when(reserve(C, 40_001)).then([reserved(C, 40_001)]);
  });
});

describe('RenewLease (SPEC Q-4: a lease lives while its owner renews it)', () => {
  it('extends the lease: ChannelLeaseRenewed with the new expiry', () =>
    spec(pool).given([reserved(A)]).when({ type: 'RenewLease', legId: 'leg-a', leaseMs: LEASE, now: T0 + 10_000 }).then([renewed(A, 10_000)]));

  it('renews a lease past its expiry that the reaper has not reclaimed yet (only a recorded expiry counts)', () =>
    spec(pool).given([reserved(A)]).when({ type: 'RenewLease', legId: 'leg-a', leaseMs: LEASE, now: T0 + 31_000 }).then([renewed(A, 31_000)]));

  it('says no for a leg that holds nothing, so its owner learns the channel is gone (QUOTA.LEASE_NOT_HELD)', () => {
    spec(pool).given([]).when({ type: 'RenewLease', legId: 'leg-a', leaseMs: LEASE, now: T0 }).thenThrows('QUOTA.LEASE_NOT_HELD');
    spec(pool).given([reserved(A), released(A, 5)]).when({ type: 'RenewLease', legId: 'leg-a', leaseMs: LEASE, now: T0 + 6 }).thenThrows('QUOTA.LEASE_NOT_HELD');
  });

  it('stays quiet on a late duplicate that would not move the expiry', () =>
    spec(pool).given([reserved(A), renewed(A, 10_000)]).when({ type: 'RenewLease', legId: 'leg-a', leaseMs: LEASE, now: T0 + 9_000 }).thenNothing());
});

describe('ReleaseChannel (SPEC Q-4: every reserve has exactly one release)', () => {
  it('gives the channel back: ChannelReleased with since and the reason', () =>
    spec(pool).given([reserved(A), renewed(A, 10_000)]).when({ type: 'ReleaseChannel', legId: 'leg-a', now: T0 + 12_000, reason: 'bye' }).then([released(A, 12_000)]));

  it('stays quiet for a leg it does not hold (released twice, reclaimed, or never held)', () => {
    spec(pool).given([]).when({ type: 'ReleaseChannel', legId: 'leg-x', now: T0, reason: 'bye' }).thenNothing();
    spec(pool).given([reserved(A), released(A, 5)]).when({ type: 'ReleaseChannel', legId: 'leg-a', now: T0 + 6, reason: 'bye' }).thenNothing();
  });

  it('says no on a pool stream whose books are closed', () =>
    spec(pool).given([reserved(A), { type: 'ChannelPoolBooksClosed', data: { at: at(1), leases: [lease(A, 0, 0)] } }]).when({ type: 'ReleaseChannel', legId: 'leg-a', now: T0 + 2, reason: 'bye' }).thenThrows('QUOTA.BOOKS_CLOSED'));
});

describe('ExpireLeases (the reaper’s tick)', () => {
  it('reclaims every lease not renewed within its TTL, with since, last renewal and the lapsed expiry', () =>
    spec(pool)
      .given([reserved(A), reserved(B, 5_000), reserved(M, 0, 10_000), renewed(A, 20_000)])
      .when({ type: 'ExpireLeases', now: T0 + 35_000 })
      .then([
        { type: 'ChannelLeaseExpired', data: { ...B, at: at(35_000), since: at(5_000), renewedAt: at(5_000), expiresAt: at(35_000) } },
        { type: 'ChannelLeaseExpired', data: { ...M, at: at(35_000), since: at(0), renewedAt: at(0), expiresAt: at(10_000) } },
      ]));

  it('stays quiet while every lease is alive', () => spec(pool).given([reserved(A), reserved(B)]).when({ type: 'ExpireLeases', now: T0 + LEASE - 1 }).thenNothing());

  it('says no on a pool stream whose books are closed', () =>
    spec(pool).given([{ type: 'ChannelPoolBooksClosed', data: { at: at(0), leases: [] } }]).when({ type: 'ExpireLeases', now: T0 }).thenThrows('QUOTA.BOOKS_CLOSED'));
});

describe('CloseBooks / OpenBooks (short pool streams)', () => {
  it('closes with every held lease, and opens the next stream with them', () => {
    spec(pool)
      .given([reserved(A), reserved(B, 1), renewed(A, 2), released(B, 3)])
      .when({ type: 'CloseBooks', now: T0 + 4 })
      .then([{ type: 'ChannelPoolBooksClosed', data: { at: at(4), leases: [lease(A, 0, 2)] } }]);
    spec(pool)
      .given([])
      .when({ type: 'OpenBooks', now: T0 + 5, from: 'channel-pool-tokyo-1_e1', leases: [lease(A, 0, 2)] })
      .then([{ type: 'ChannelPoolBooksOpened', data: { at: at(5), from: 'channel-pool-tokyo-1_e1', leases: [lease(A, 0, 2)] } }]);
  });

  it('the carried leases count against the limit in the new stream', () => {
    const opened: ChannelPoolEvent = { type: 'ChannelPoolBooksOpened', data: { at: at(5), from: 'channel-pool-tokyo-1_e1', leases: [lease(A, 0, 2), lease(B, 0, 2)] } };
    spec(pool).given([opened]).when(reserve(C, 6)).thenThrows('QUOTA.EXCEEDED');
    spec(pool).given([opened]).when({ type: 'ReleaseChannel', legId: 'leg-b', now: T0 + 7, reason: 'bye' }).then([released(B, 7)]);
  });

  it('stays quiet when the books are already closed, or the next stream already opened', () => {
    spec(pool).given([{ type: 'ChannelPoolBooksClosed', data: { at: at(0), leases: [] } }]).when({ type: 'CloseBooks', now: T0 + 1 }).thenNothing();
    spec(pool).given([reserved(A)]).when({ type: 'OpenBooks', now: T0, from: 'channel-pool-tokyo-1_e1', leases: [] }).thenNothing();
  });

  it('says no to any reservation after the books closed', () =>
    spec(pool).given([{ type: 'ChannelPoolBooksClosed', data: { at: at(0), leases: [] } }]).when(reserve(A, 1)).thenThrows('QUOTA.BOOKS_CLOSED'));
});

describe('evolve', () => {
  it('counts held channels per pool and keeps who holds them, in the order taken', () => {
    const s = foldEvents(pool, [reserved(A), reserved(M, 1), reserved(B, 2), renewed(A, 3), released(B, 4)]);
    expect(s.held).toEqual({ channel: 1, 'mobile-channel': 1 });
    expect([...s.leases.values()]).toEqual([lease(A, 0, 3), lease(M, 1, 1)]);
    expect(s.fresh).toBe(false);
  });
});
