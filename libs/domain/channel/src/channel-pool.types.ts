import type { ChannelCount, ChannelPoolName, FarEnd } from './channel-demand';

/** Seen from this server. */
export type LegDirection = 'inbound' | 'outbound';

/** Who and what holds a channel: carried by every lease event, so each is readable alone (SPEC Q-6). */
export interface LeaseHolder {
  readonly legId: string;
  readonly pool: ChannelPoolName;
  /** The call the leg belongs to. */
  readonly callId: string;
  /** The call's request id (ARCHITECTURE.md: the correlation id of everything the call causes). */
  readonly requestId?: string;
  readonly direction: LegDirection;
  readonly farEnd: FarEnd;
  /** Our side of the call, for the usage view: the extension, DID, group or IVR number. */
  readonly localParty?: string;
}

/** A held channel: a lease that the leg's owner (sip-edge) renews while the leg lives (SPEC Q-4). */
export interface Lease extends LeaseHolder {
  /** ISO-8601: when the channel was taken. */
  readonly since: string;
  /** ISO-8601: the last renewal (= since until the first one). */
  readonly renewedAt: string;
  /** ISO-8601: the lease lapses at this instant unless renewed. */
  readonly expiresAt: string;
}

// ---------------------------------------------------------------- commands (time arrives in them)

export interface ReserveChannel extends LeaseHolder {
  readonly type: 'ReserveChannel';
  /** How long the lease lives without a renewal. */
  readonly leaseMs: number;
  /** Epoch milliseconds. */
  readonly now: number;
}

export interface RenewLease {
  readonly type: 'RenewLease';
  readonly legId: string;
  readonly leaseMs: number;
  readonly now: number;
}

export interface ReleaseChannel {
  readonly type: 'ReleaseChannel';
  readonly legId: string;
  readonly now: number;
  /** Why the leg ended, as its owner says it (`bye`, `cancel`, `failed`, `admin-disconnect`, …). */
  readonly reason: string;
}

/** The reaper's tick: every lease whose expiry is at or before `now` lapses. */
export interface ExpireLeases {
  readonly type: 'ExpireLeases';
  readonly now: number;
}

/**
 * Closing the books: this pool stream takes no more commands; its held leases are carried to
 * the next stream by {@link OpenBooks}. Keeps every stream short (see docs/channel-quota.md).
 */
export interface CloseBooks {
  readonly type: 'CloseBooks';
  readonly now: number;
}

/** Opens a fresh pool stream with the leases the previous one held when its books closed. */
export interface OpenBooks {
  readonly type: 'OpenBooks';
  readonly now: number;
  /** The stream whose books were closed. */
  readonly from: string;
  readonly leases: readonly Lease[];
}

export type ChannelPoolCommand = ReserveChannel | RenewLease | ReleaseChannel | ExpireLeases | CloseBooks | OpenBooks;

// ---------------------------------------------------------------- events (past-tense facts)

export interface ChannelReserved {
  readonly type: 'ChannelReserved';
  readonly data: LeaseHolder & { readonly at: string; readonly expiresAt: string };
}

export interface ChannelLeaseRenewed {
  readonly type: 'ChannelLeaseRenewed';
  readonly data: LeaseHolder & { readonly at: string; readonly expiresAt: string };
}

export interface ChannelReleased {
  readonly type: 'ChannelReleased';
  readonly data: LeaseHolder & { readonly at: string; readonly since: string; readonly reason: string };
}

/** The owner stopped renewing (it crashed, lost its connection, or forgot to release): reclaimed. */
export interface ChannelLeaseExpired {
  readonly type: 'ChannelLeaseExpired';
  readonly data: LeaseHolder & { readonly at: string; readonly since: string; readonly renewedAt: string; readonly expiresAt: string };
}

export interface ChannelPoolBooksClosed {
  readonly type: 'ChannelPoolBooksClosed';
  readonly data: { readonly at: string; readonly leases: readonly Lease[] };
}

export interface ChannelPoolBooksOpened {
  readonly type: 'ChannelPoolBooksOpened';
  readonly data: { readonly at: string; readonly from: string; readonly leases: readonly Lease[] };
}

export type ChannelPoolEvent = ChannelReserved | ChannelLeaseRenewed | ChannelReleased | ChannelLeaseExpired | ChannelPoolBooksClosed | ChannelPoolBooksOpened;
export type ChannelPoolEventType = ChannelPoolEvent['type'];

export const CHANNEL_POOL_EVENT_TYPES: readonly ChannelPoolEventType[] = [
  'ChannelReserved',
  'ChannelLeaseRenewed',
  'ChannelReleased',
  'ChannelLeaseExpired',
  'ChannelPoolBooksClosed',
  'ChannelPoolBooksOpened',
];

// ---------------------------------------------------------------- state

export interface ChannelPool {
  /** Held leases by leg id, in the order they were taken. */
  readonly leases: ReadonlyMap<string, Lease>;
  readonly held: ChannelCount;
  /** No event yet: a fresh stream that {@link OpenBooks} may open. */
  readonly fresh: boolean;
  /** The books are closed: the pool lives on in the next stream. */
  readonly closed: boolean;
}

/** The licensed counts (SPEC Q-1), from the provisioning file. */
export type ChannelLimits = ChannelCount;

export type ChannelQuotaErrorCode = 'QUOTA.EXCEEDED' | 'QUOTA.LEASE_NOT_HELD' | 'QUOTA.LEG_CONFLICT' | 'QUOTA.BOOKS_CLOSED' | 'QUOTA.INVALID_LEASE';
