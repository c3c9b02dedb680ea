import { farEndSchema as channelFarEndSchema } from '@pbx/contracts';
import type { ChannelPoolEventType, FarEnd } from '@pbx/domain-channel';
import { CHANNEL_POOL_EVENT_TYPES } from '@pbx/domain-channel';
import type { ChannelUsageChange, ChannelUsageRow } from '@pbx/read-models';
import { z } from 'zod';

// channel-quota's pool events (docs/channel-quota.md) → changes of channel_usage (SPEC Q-6).
// Pure. The pool's events are checked on read: a shape this projector does not know is rejected
// with a reason (the caller logs and counts it), never a crash.

/** Pool streams: `channel-pool-<serverId>_e<epoch>`; the server id is read from the name. */
const POOL_STREAM = /^channel-pool-(.+)_e(\d+)$/;

export function poolServerId(streamName: string): string | null {
  return POOL_STREAM.exec(streamName)?.[1] ?? null;
}

export const isChannelPoolEventType = (type: string): type is ChannelPoolEventType => (CHANNEL_POOL_EVENT_TYPES as readonly string[]).includes(type);

const instant = z.string().datetime({ offset: true });
const holder = {
  legId: z.string().min(1),
  pool: z.enum(['channel', 'mobile-channel']),
  callId: z.string().min(1),
  requestId: z.string().min(1).optional(),
  direction: z.enum(['inbound', 'outbound']),
  farEnd: channelFarEndSchema,
  localParty: z.string().optional(),
};
const lease = z.object({ ...holder, since: instant, renewedAt: instant, expiresAt: instant });
const schemas = {
  ChannelReserved: z.object({ ...holder, at: instant, expiresAt: instant }),
  ChannelLeaseRenewed: z.object({ ...holder, at: instant, expiresAt: instant }),
  ChannelReleased: z.object({ ...holder, at: instant, since: instant, reason: z.string() }),
  ChannelLeaseExpired: z.object({ ...holder, at: instant, since: instant, renewedAt: instant, expiresAt: instant }),
  ChannelPoolBooksClosed: z.object({ at: instant, leases: z.array(lease) }),
  ChannelPoolBooksOpened: z.object({ at: instant, from: z.string(), leases: z.array(lease) }),
} as const;

/** Who holds the channel, as the usage view shows it (SPEC Q-6 "who"). */
export function holderOf(farEnd: FarEnd): string {
  switch (farEnd.kind) {
    case 'trunk':
      return farEnd.number ?? `trunk ${farEnd.trunkId}`;
    case 'agent-external':
    case 'callback':
      return farEnd.number;
    case 'peer':
      return farEnd.extension !== undefined ? `${farEnd.serverId}/${farEnd.extension}` : farEnd.serverId;
    case 'softphone':
    case 'hardphone':
    case 'mobile':
      return farEnd.extension;
  }
}

type Holder = z.infer<z.ZodObject<typeof holder>>;
const toRow = (serverId: string, h: Holder, since: string, renewedAt: string, expiresAt: string): ChannelUsageRow => ({
  legId: h.legId,
  serverId,
  pool: h.pool,
  callId: h.callId,
  requestId: h.requestId ?? null,
  direction: h.direction,
  holder: holderOf(h.farEnd),
  farEnd: h.farEnd,
  localParty: h.localParty ?? null,
  since,
  renewedAt,
  expiresAt,
});

export type PoolEventOutcome = { readonly ok: true; readonly change: ChannelUsageChange | null } | { readonly ok: false; readonly error: string };

/**
 * The change one pool event makes. BooksClosed changes nothing (its leases live on in the next
 * epoch's BooksOpened, which restates them).
 */
export function channelUsageChange(streamName: string, type: string, data: unknown): PoolEventOutcome {
  const serverId = poolServerId(streamName);
  if (serverId === null) return { ok: false, error: `not a channel-pool stream: ${streamName}` };
  if (!isChannelPoolEventType(type)) return { ok: false, error: `not a channel-pool event type: ${type}` };
  const fail = (e: z.ZodError): PoolEventOutcome => ({ ok: false, error: `${type}: ${e.issues.map((i) => `${i.path.join('.') || '(data)'} ${i.message}`).join('; ')}` });
  switch (type) {
    case 'ChannelReserved': {
      const p = schemas.ChannelReserved.safeParse(data);
      return p.success ? { ok: true, change: { kind: 'hold', row: toRow(serverId, p.data, p.data.at, p.data.at, p.data.expiresAt) } } : fail(p.error);
    }
    case 'ChannelLeaseRenewed': {
      const p = schemas.ChannelLeaseRenewed.safeParse(data);
      return p.success ? { ok: true, change: { kind: 'renew', legId: p.data.legId, renewedAt: p.data.at, expiresAt: p.data.expiresAt } } : fail(p.error);
    }
    case 'ChannelReleased':
    case 'ChannelLeaseExpired': {
      const p = schemas[type].safeParse(data);
      return p.success ? { ok: true, change: { kind: 'free', legId: p.data.legId } } : fail(p.error);
    }
    case 'ChannelPoolBooksClosed': {
      const p = schemas.ChannelPoolBooksClosed.safeParse(data);
      return p.success ? { ok: true, change: null } : fail(p.error);
    }
    case 'ChannelPoolBooksOpened': {
      const p = schemas.ChannelPoolBooksOpened.safeParse(data);
      return p.success
        ? { ok: true, change: { kind: 'restate', serverId, rows: p.data.leases.map((l) => toRow(serverId, l, l.since, l.renewedAt, l.expiresAt)) } }
        : fail(p.error);
    }
  }
}
