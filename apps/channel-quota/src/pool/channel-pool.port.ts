import { ChannelPool, ChannelPoolCommand, ChannelPoolEventType, ChannelLimits, Lease } from '@pbx/domain-channel';
import { channelPoolNameSchema, cmdSubject, ErrorBody, farEndSchema, legDirectionSchema, PoolsUsage } from '@pbx/contracts';
import { z } from 'zod';

/** What one command did to the pool, once it is stored. */
export type CommandOutcome =
  | {
      readonly ok: true;
      /** Types of the events it appended, in order (empty: it stayed quiet). */
      readonly emitted: ChannelPoolEventType[];
      /** The command's leg before and after (null when it held nothing). */
      readonly before: Lease | null;
      readonly after: Lease | null;
      readonly pools: PoolsUsage;
    }
  | { readonly ok: false; readonly error: ErrorBody };

export interface PoolView {
  readonly leases: Lease[];
  readonly pools: PoolsUsage;
}

/** The use cases' door to the pool: the writer runs here or in another instance (docs/channel-quota.md). */
export interface ChannelPoolPort {
  execute(commands: readonly ChannelPoolCommand[], correlationId: string): Promise<CommandOutcome[]>;
  view(): Promise<PoolView>;
}
export const CHANNEL_POOL = Symbol('CHANNEL_POOL');

/** Epoch milliseconds; injected so tests can move time. */
export type Clock = () => number;
export const CLOCK = Symbol('CLOCK');

/** Fixed for the life of the process (the limits change with the provisioning: PoolLimits). */
export interface PoolSettings {
  readonly serverId: string;
  /** LEASE_TTL_MS: the lease of a request that names none. */
  readonly defaultLeaseMs: number;
}
export const POOL_SETTINGS = Symbol('POOL_SETTINGS');

export function poolsUsage(state: ChannelPool, limits: ChannelLimits): PoolsUsage {
  return {
    channel: { limit: limits.channel, held: state.held.channel },
    'mobile-channel': { limit: limits['mobile-channel'], held: state.held['mobile-channel'] },
  };
}

// ---------------------------------------------------------------- the writer's own subject

/**
 * Internal: instances that do not hold the pool forward commands to the one that does. Only the
 * writer subscribes (queue group), so the subject has at most one live responder.
 */
export const POOL_WRITER_SUBJECT = cmdSubject('channel-quota', 'pool-writer');

const id = z.string().min(1).max(128);
const instant = z.number().int().nonnegative();
const holder = { legId: id, pool: channelPoolNameSchema, callId: id, requestId: id.optional(), direction: legDirectionSchema, farEnd: farEndSchema, localParty: z.string().max(64).optional() };
const lease = z.number().int().min(1).max(600_000);

export const poolCommandSchema: z.ZodType<ChannelPoolCommand> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ReserveChannel'), ...holder, leaseMs: lease, now: instant }),
  z.object({ type: z.literal('RenewLease'), legId: id, leaseMs: lease, now: instant }),
  z.object({ type: z.literal('ReleaseChannel'), legId: id, now: instant, reason: z.string().min(1).max(64) }),
  z.object({ type: z.literal('ExpireLeases'), now: instant }),
]);

export const writerRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('execute'), correlationId: z.string().min(1).max(256), commands: z.array(poolCommandSchema).min(1).max(1_000) }),
  z.object({ op: z.literal('view') }),
]);
export type WriterRequest = z.infer<typeof writerRequestSchema>;

/** The writer's answer (same service on both ends: checked for shape, not re-validated). */
export type WriterReply =
  | { readonly outcomes: CommandOutcome[] }
  | { readonly view: PoolView }
  /** The receiver lost the pool between subscribing and answering: ask again. */
  | { readonly notWriter: true };
