import { channelUsageChange, holderOf, poolServerId } from './channel-usage.mapping';

const holder = { legId: 'l1', pool: 'channel', callId: 'c1', requestId: 'r1', direction: 'inbound', farEnd: { kind: 'trunk', trunkId: 'carrier-a', number: '09011112222' }, localParty: '0312345678' };
const at = '2025-04-01T09:00:00.000Z';
const later = '2025-04-01T09:00:30.000Z';

describe('channel usage from pool events (SPEC Q-6)', () => {
  it('reads the server id from the pool stream name (ids may hold dashes and underscores)', () => {
    expect(poolServerId('channel-pool-tokyo_e1')).toBe('tokyo');
    expect(poolServerId('channel-pool-tokyo-2_x_e12')).toBe('tokyo-2_x');
    expect(poolServerId('leg-abc')).toBeNull();
    expect(poolServerId('channel-pool-tokyo')).toBeNull();
  });

  it('shows who holds the channel for every far-end kind', () => {
    expect(holderOf({ kind: 'trunk', trunkId: 'carrier-a' })).toBe('trunk carrier-a');
    expect(holderOf({ kind: 'trunk', trunkId: 'carrier-a', number: '0311112222' })).toBe('0311112222');
    expect(holderOf({ kind: 'agent-external', number: '09012345678' })).toBe('09012345678');
    expect(holderOf({ kind: 'callback', number: '0312349999', role: 'counterpart' })).toBe('0312349999');
    expect(holderOf({ kind: 'peer', serverId: 'osaka' })).toBe('osaka');
    expect(holderOf({ kind: 'peer', serverId: 'osaka', extension: '2001' })).toBe('osaka/2001');
    expect(holderOf({ kind: 'mobile', extension: '1005' })).toBe('1005');
  });

  it('maps reserve → hold, renew → renew, release and expiry → free, books closed → nothing', () => {
    expect(channelUsageChange('channel-pool-tokyo_e1', 'ChannelReserved', { ...holder, at, expiresAt: later })).toEqual({
      ok: true,
      change: {
        kind: 'hold',
        row: { legId: 'l1', serverId: 'tokyo', pool: 'channel', callId: 'c1', requestId: 'r1', direction: 'inbound', holder: '09011112222', farEnd: holder.farEnd, localParty: '0312345678', since: at, renewedAt: at, expiresAt: later },
      },
    });
    expect(channelUsageChange('channel-pool-tokyo_e1', 'ChannelLeaseRenewed', { ...holder, at: later, expiresAt: later })).toEqual({ ok: true, change: { kind: 'renew', legId: 'l1', renewedAt: later, expiresAt: later } });
    expect(channelUsageChange('channel-pool-tokyo_e1', 'ChannelReleased', { ...holder, at: later, since: at, reason: 'bye' })).toEqual({ ok: true, change: { kind: 'free', legId: 'l1' } });
    expect(channelUsageChange('channel-pool-tokyo_e1', 'ChannelLeaseExpired', { ...holder, at: later, since: at, renewedAt: at, expiresAt: later })).toEqual({ ok: true, change: { kind: 'free', legId: 'l1' } });
    expect(channelUsageChange('channel-pool-tokyo_e1', 'ChannelPoolBooksClosed', { at, leases: [] })).toEqual({ ok: true, change: null });
  });

  it('restates the server’s leases from a books-opened event', () => {
    const lease = { ...holder, since: at, renewedAt: later, expiresAt: later };
    const out = channelUsageChange('channel-pool-tokyo_e2', 'ChannelPoolBooksOpened', { at: later, from: 'channel-pool-tokyo_e1', leases: [lease] });
    expect(out).toMatchObject({ ok: true, change: { kind: 'restate', serverId: 'tokyo', rows: [{ legId: 'l1', since: at, renewedAt: later }] } });
  });

  it('rejects what it cannot read with a reason, never a throw', () => {
    expect(channelUsageChange('channel-pool-tokyo_e1', 'ChannelReserved', { ...holder, pool: 'fax' })).toMatchObject({ ok: false, error: expect.stringContaining('pool') });
    expect(channelUsageChange('channel-pool-tokyo_e1', 'ChannelReserved', null)).toMatchObject({ ok: false });
    expect(channelUsageChange('channel-pool-tokyo_e1', 'ChannelSomething', {})).toEqual({ ok: false, error: 'not a channel-pool event type: ChannelSomething' });
    expect(channelUsageChange('pool-x', 'ChannelReserved', {})).toEqual({ ok: false, error: 'not a channel-pool stream: pool-x' });
  });
});
