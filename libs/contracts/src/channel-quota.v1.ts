import { z } from 'zod';
import type { ChannelPoolName, FarEnd, LegDirection } from '@pbx/domain-channel';
import { cmdSubject, qrySubject } from './subjects';

// channel-quota (同時通話数 / モバイルチャネル, SPEC §3). How it works: docs/channel-quota.md.

/** Takes the channel a new leg holds (SPEC Q-2), as a lease that the leg's owner renews. */
export const CHANNEL_QUOTA_RESERVE = cmdSubject('channel-quota', 'reserve');
/** Renews the leases of live legs (sip-edge, every few seconds, many legs per request). */
export const CHANNEL_QUOTA_RENEW = cmdSubject('channel-quota', 'renew');
/** Gives a leg's channel back when the leg ends. */
export const CHANNEL_QUOTA_RELEASE = cmdSubject('channel-quota', 'release');
/** チャネル使用状況 (SPEC Q-6): per leg who, since when, which pool; totals and limits. */
export const CHANNEL_QUOTA_USAGE = qrySubject('channel-quota', 'usage');
/** Admin: ends a leg from the usage view (SPEC Q-6, C-6). Authorization is the gateway's (SPEC A-1). */
export const CHANNEL_QUOTA_DISCONNECT = cmdSubject('channel-quota', 'disconnect');
/**
 * Asks sip-edge to end a leg. channel-quota sends it for an admin disconnect; sip-edge serves it
 * (its contract moves to sip-edge's own file when sip-edge implements it).
 */
export const SIP_EDGE_HANGUP = cmdSubject('sip-edge', 'hangup');

/** Error codes channel-quota answers with (besides CONTRACT.INVALID_PAYLOAD). */
export const CHANNEL_QUOTA_ERRORS = {
  /** Over the limit (SPEC Q-5 says what the caller does next); details `{ pool, limit }`. */
  exceeded: 'QUOTA.EXCEEDED',
  /** The leg holds no channel (never reserved, released, or its lease expired); details `{ legId }`. */
  leaseNotHeld: 'QUOTA.LEASE_NOT_HELD',
  /** The leg already holds the other pool; details `{ legId, held, requested }`. */
  legConflict: 'QUOTA.LEG_CONFLICT',
  invalidLease: 'QUOTA.INVALID_LEASE',
  /** No instance could take the pool's writer role in time (the database is unreachable). */
  unavailable: 'QUOTA.UNAVAILABLE',
  /** Admin disconnect: no sip-edge answered the hang-up request; details `{ subject, cause }`. */
  hangupUnavailable: 'QUOTA.HANGUP_UNAVAILABLE',
} as const;

const id = z.string().min(1).max(128);
const number = z.string().regex(/^[0-9*#+]{1,32}$/, 'must be a dialable number');
const extension = z.string().regex(/^[0-9]{4}$/, 'must be a 4-digit extension');
const instant = z.string().datetime();

export const channelPoolNameSchema = z.enum(['channel', 'mobile-channel']);
export const legDirectionSchema = z.enum(['inbound', 'outbound']);

/** The leg's far end; its kind decides the pool (SPEC Q-2). */
export const farEndSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('trunk'), trunkId: id, number: number.optional() }).strict(),
  z.object({ kind: z.literal('agent-external'), number, account: id.optional() }).strict(),
  z.object({ kind: z.literal('callback'), number, role: z.enum(['agent', 'counterpart']) }).strict(),
  z.object({ kind: z.literal('peer'), serverId: id, extension: extension.optional() }).strict(),
  z.object({ kind: z.literal('softphone'), extension }).strict(),
  z.object({ kind: z.literal('hardphone'), extension }).strict(),
  z.object({ kind: z.literal('mobile'), extension }).strict(),
]);

/** Lease length bounds on the wire; the service has a default (LEASE_TTL_MS). */
const leaseMs = z.number().int().min(1_000).max(600_000);

// ---------------------------------------------------------------- reserve

export const reserveChannelRequestSchema = z
  .object({
    legId: id,
    callId: id,
    /** The call's request id: correlates the reservation with everything else the call causes. */
    requestId: id.optional(),
    direction: legDirectionSchema,
    farEnd: farEndSchema,
    /** Our side: the extension, DID, group or IVR number, shown in the usage view. */
    localParty: z.string().min(1).max(64).optional(),
    leaseMs: leaseMs.optional(),
  })
  .strict();
export type ReserveChannelRequest = z.infer<typeof reserveChannelRequestSchema>;

const poolUsageSchema = z.object({ limit: z.number().int().min(0), held: z.number().int().min(0) });
export const poolsUsageSchema = z.object({ channel: poolUsageSchema, 'mobile-channel': poolUsageSchema });
export type PoolsUsage = z.infer<typeof poolsUsageSchema>;

/**
 * Granted (or nothing to hold: `pool: 'none'` for a local phone, SPEC Q-2). A reserve of a leg
 * that already holds its channel answers the same grant again (a retry is harmless).
 * Over the limit the reply is the error QUOTA.EXCEEDED instead.
 */
export const reserveChannelReplySchema = z.object({
  legId: id,
  pool: z.enum(['channel', 'mobile-channel', 'none']),
  /** When the channel was taken; null for `none`. */
  since: instant.nullable(),
  /** Renew before this instant or the channel is reclaimed; null for `none`. */
  expiresAt: instant.nullable(),
  pools: poolsUsageSchema,
});
export type ReserveChannelReply = z.infer<typeof reserveChannelReplySchema>;

// ---------------------------------------------------------------- renew

export const renewLeasesRequestSchema = z.object({ legIds: z.array(id).min(1).max(1_000), leaseMs: leaseMs.optional() }).strict();
export type RenewLeasesRequest = z.infer<typeof renewLeasesRequestSchema>;

/** `notHeld`: legs that hold no channel any more (reclaimed or released): their owner should end them. */
export const renewLeasesReplySchema = z.object({
  renewed: z.array(z.object({ legId: id, expiresAt: instant })),
  notHeld: z.array(id),
});
export type RenewLeasesReply = z.infer<typeof renewLeasesReplySchema>;

// ---------------------------------------------------------------- release

export const releaseChannelRequestSchema = z
  .object({
    legId: id,
    /** Why the leg ended (`bye`, `cancel`, `failed`, …): recorded in ChannelReleased. */
    reason: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/).default('ended'),
  })
  .strict();
export type ReleaseChannelRequest = z.input<typeof releaseChannelRequestSchema>;

/** `released: false` when the leg held nothing (a second release, or already reclaimed): not an error. */
export const releaseChannelReplySchema = z.object({ legId: id, released: z.boolean(), pool: channelPoolNameSchema.nullable() });
export type ReleaseChannelReply = z.infer<typeof releaseChannelReplySchema>;

// ---------------------------------------------------------------- usage (SPEC Q-6)

export const usageQuerySchema = z.object({ pool: channelPoolNameSchema.optional() }).strict();
export type UsageQuery = z.infer<typeof usageQuerySchema>;

export const legUsageSchema = z.object({
  legId: id,
  pool: channelPoolNameSchema,
  callId: id,
  requestId: id.optional(),
  direction: legDirectionSchema,
  farEnd: farEndSchema,
  localParty: z.string().optional(),
  /** When the channel was taken. */
  since: instant,
  renewedAt: instant,
  expiresAt: instant,
});
export type LegUsage = z.infer<typeof legUsageSchema>;

export const usageReplySchema = z.object({
  serverId: z.string(),
  /** When this view was taken. */
  at: instant,
  pools: poolsUsageSchema,
  /** Oldest first. */
  legs: z.array(legUsageSchema),
});
export type UsageReply = z.infer<typeof usageReplySchema>;

// ---------------------------------------------------------------- admin disconnect (SPEC Q-6, C-6)

export const disconnectLegRequestSchema = z
  .object({
    legId: id,
    /** The admin account that asked (the gateway authorizes; this is for the record). */
    requestedBy: id,
  })
  .strict();
export type DisconnectLegRequest = z.infer<typeof disconnectLegRequestSchema>;

/**
 * The hang-up was handed to sip-edge; the channel comes back with the leg's release (or its
 * lease's expiry). `leg` is the quota's view of the leg when the disconnect was asked.
 */
export const disconnectLegReplySchema = z.object({ legId: id, hangup: z.literal('requested'), leg: legUsageSchema });
export type DisconnectLegReply = z.infer<typeof disconnectLegReplySchema>;

export const sipEdgeHangupRequestSchema = z.object({ legId: id, reason: z.string().min(1).max(64) }).strict();
export type SipEdgeHangupRequest = z.infer<typeof sipEdgeHangupRequestSchema>;

// The wire and the domain must agree (a compile error here means one of them changed alone).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [Same<z.infer<typeof farEndSchema>, FarEnd>, Same<z.infer<typeof channelPoolNameSchema>, ChannelPoolName>, Same<z.infer<typeof legDirectionSchema>, LegDirection>] = [true, true, true];
void agree;
