import { assertNever, Decider, DomainError } from '@pbx/domain-kernel';
import type { ChannelPoolName } from './channel-demand';
import type {
  ChannelLimits,
  ChannelPool,
  ChannelPoolCommand,
  ChannelPoolEvent,
  ChannelQuotaErrorCode,
  Lease,
  LeaseHolder,
  ReserveChannel,
} from './channel-pool.types';

/** Longest lease one reservation or renewal may ask for (a leg that stops renewing is reclaimed within it). */
export const MAX_LEASE_MS = 600_000;

const POOL_LABEL: Record<ChannelPoolName, string> = {
  channel: 'channel limit (同時通話数)',
  'mobile-channel': 'mobile channel limit (モバイルチャネル)',
};

const iso = (ms: number): string => new Date(ms).toISOString();

function quotaError(code: ChannelQuotaErrorCode, message: string, details: Record<string, unknown>): DomainError {
  return new DomainError(code, message, details);
}

/** The part of a lease that every lease event repeats. */
function holderOf(l: LeaseHolder): LeaseHolder {
  const h: LeaseHolder = { legId: l.legId, pool: l.pool, callId: l.callId, direction: l.direction, farEnd: l.farEnd };
  return {
    ...h,
    ...(l.requestId !== undefined ? { requestId: l.requestId } : {}),
    ...(l.localParty !== undefined ? { localParty: l.localParty } : {}),
  };
}

function checkTime(now: number, what: string): void {
  if (!Number.isSafeInteger(now) || now < 0) throw quotaError('QUOTA.INVALID_LEASE', `${what}: now must be epoch milliseconds, got ${now}`, { now });
}

function checkLease(leaseMs: number, legId: string): void {
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 1 || leaseMs > MAX_LEASE_MS) {
    throw quotaError('QUOTA.INVALID_LEASE', `leg ${legId}: a lease lasts 1..${MAX_LEASE_MS} ms, got ${leaseMs}`, { legId, leaseMs });
  }
}

function assertOpen(s: ChannelPool, cmd: ChannelPoolCommand): void {
  if (s.closed) throw quotaError('QUOTA.BOOKS_CLOSED', `${cmd.type} on a pool stream whose books are closed: the pool lives on in the next stream`, { command: cmd.type });
}

function reserve(cmd: ReserveChannel, s: ChannelPool, limits: ChannelLimits): ChannelPoolEvent[] {
  checkTime(cmd.now, cmd.type);
  checkLease(cmd.leaseMs, cmd.legId);
  const held = s.leases.get(cmd.legId);
  if (held) {
    // A retry of the same leg's reserve (its reply was lost, or the request was redelivered).
    if (held.pool === cmd.pool) return [];
    throw quotaError('QUOTA.LEG_CONFLICT', `leg ${cmd.legId} already holds a ${held.pool} and cannot also take a ${cmd.pool}`, {
      legId: cmd.legId,
      held: held.pool,
      requested: cmd.pool,
    });
  }
  const limit = limits[cmd.pool];
  // SPEC Q-4: never more held than the limit. SPEC Q-5 decides what the caller does about it.
  if (s.held[cmd.pool] >= limit) {
    throw quotaError('QUOTA.EXCEEDED', `${POOL_LABEL[cmd.pool]} of ${limit} reached: all ${limit} in use`, { pool: cmd.pool, limit });
  }
  return [{ type: 'ChannelReserved', data: { ...holderOf(cmd), at: iso(cmd.now), expiresAt: iso(cmd.now + cmd.leaseMs) } }];
}

function decide(cmd: ChannelPoolCommand, s: ChannelPool, limits: ChannelLimits): ChannelPoolEvent[] {
  switch (cmd.type) {
    case 'ReserveChannel':
      assertOpen(s, cmd);
      return reserve(cmd, s, limits);

    case 'RenewLease': {
      assertOpen(s, cmd);
      checkTime(cmd.now, cmd.type);
      checkLease(cmd.leaseMs, cmd.legId);
      const lease = s.leases.get(cmd.legId);
      // The owner must learn that its leg no longer holds a channel (the reaper took it, or it was released).
      if (!lease) throw quotaError('QUOTA.LEASE_NOT_HELD', `leg ${cmd.legId} holds no channel: never reserved, released, or its lease expired`, { legId: cmd.legId });
      const expiresAt = cmd.now + cmd.leaseMs;
      if (expiresAt <= Date.parse(lease.expiresAt)) return []; // a late duplicate extends nothing
      return [{ type: 'ChannelLeaseRenewed', data: { ...holderOf(lease), at: iso(cmd.now), expiresAt: iso(expiresAt) } }];
    }

    case 'ReleaseChannel': {
      assertOpen(s, cmd);
      checkTime(cmd.now, cmd.type);
      const lease = s.leases.get(cmd.legId);
      if (!lease) return []; // released twice, already reclaimed, or never held: every reserve has exactly one release
      return [{ type: 'ChannelReleased', data: { ...holderOf(lease), at: iso(cmd.now), since: lease.since, reason: cmd.reason } }];
    }

    case 'ExpireLeases': {
      assertOpen(s, cmd);
      checkTime(cmd.now, cmd.type);
      const out: ChannelPoolEvent[] = [];
      for (const lease of s.leases.values()) {
        if (Date.parse(lease.expiresAt) > cmd.now) continue;
        out.push({
          type: 'ChannelLeaseExpired',
          data: { ...holderOf(lease), at: iso(cmd.now), since: lease.since, renewedAt: lease.renewedAt, expiresAt: lease.expiresAt },
        });
      }
      return out;
    }

    case 'CloseBooks':
      if (s.closed) return [];
      checkTime(cmd.now, cmd.type);
      return [{ type: 'ChannelPoolBooksClosed', data: { at: iso(cmd.now), leases: [...s.leases.values()] } }];

    case 'OpenBooks':
      if (!s.fresh) return []; // another writer opened it first
      checkTime(cmd.now, cmd.type);
      return [{ type: 'ChannelPoolBooksOpened', data: { at: iso(cmd.now), from: cmd.from, leases: cmd.leases } }];

    default:
      return assertNever(cmd, 'channel pool command');
  }
}

function countHeld(leases: ReadonlyMap<string, Lease>): ChannelPool['held'] {
  const held = { channel: 0, 'mobile-channel': 0 };
  for (const l of leases.values()) held[l.pool] += 1;
  return held;
}

function adjust(held: ChannelPool['held'], pool: ChannelPoolName, by: 1 | -1): ChannelPool['held'] {
  return { ...held, [pool]: held[pool] + by };
}

// Copy-on-write of the lease map: evolve stays pure, and a pool holds at most its limit.
function evolve(s: ChannelPool, e: ChannelPoolEvent): ChannelPool {
  switch (e.type) {
    case 'ChannelReserved': {
      const { at, expiresAt, ...holder } = e.data;
      const known = s.leases.has(holder.legId);
      const leases = new Map(s.leases).set(holder.legId, { ...holder, since: at, renewedAt: at, expiresAt });
      return { ...s, leases, held: known ? countHeld(leases) : adjust(s.held, holder.pool, 1), fresh: false };
    }
    case 'ChannelLeaseRenewed': {
      const lease = s.leases.get(e.data.legId);
      if (!lease) return { ...s, fresh: false };
      return { ...s, leases: new Map(s.leases).set(lease.legId, { ...lease, renewedAt: e.data.at, expiresAt: e.data.expiresAt }), fresh: false };
    }
    case 'ChannelReleased':
    case 'ChannelLeaseExpired': {
      const lease = s.leases.get(e.data.legId);
      if (!lease) return { ...s, fresh: false };
      const leases = new Map(s.leases);
      leases.delete(lease.legId);
      return { ...s, leases, held: adjust(s.held, lease.pool, -1), fresh: false };
    }
    case 'ChannelPoolBooksClosed':
      return { ...s, fresh: false, closed: true };
    case 'ChannelPoolBooksOpened': {
      const leases = new Map(e.data.leases.map((l) => [l.legId, l]));
      return { ...s, leases, held: countHeld(leases), fresh: false };
    }
    default:
      return assertNever(e, 'channel pool event');
  }
}

export function initialChannelPool(): ChannelPool {
  return { leases: new Map(), held: { channel: 0, 'mobile-channel': 0 }, fresh: true, closed: false };
}

/**
 * The channel pools of one server (SPEC Q-1..Q-4) as a pure decider. The limits come from the
 * provisioning file; time arrives in the commands.
 */
export function channelPoolDecider(limits: ChannelLimits): Decider<ChannelPoolCommand, ChannelPoolEvent, ChannelPool> {
  return {
    initialState: initialChannelPool,
    evolve,
    decide: (cmd, s) => decide(cmd, s, limits),
  };
}
