import { z } from 'zod';
import { defaultHttpPort } from '@pbx/contracts';
import { baseConfigSchema, loadConfig } from '@pbx/service-kit';

const ms = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** channel-quota settings, validated once at boot (ARCHITECTURE.md "config"). */
export const configSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(defaultHttpPort('channel-quota')),
  /** The pools live in the event store. */
  DATABASE_URL: z.string().url(),
  /** Limits (SPEC Q-1) and the server id come from here, read once at boot. */
  PROVISIONING_FILE: z.string().min(1).default('deploy/demo/provisioning.yaml'),
  /** Lease of a reservation whose request names none: the owner renews well within it (SPEC Q-4). */
  LEASE_TTL_MS: ms(1_000, 600_000).default(30_000),
  /** How often the reaper looks for lapsed leases. */
  REAPER_INTERVAL_MS: ms(50, 60_000).default(1_000),
  /**
   * After an instance takes the pool over, the reaper waits this long before reclaiming, so
   * owners whose renewals failed while no instance held the pool can renew first.
   */
  REAPER_TAKEOVER_GRACE_MS: ms(0, 600_000).default(10_000),
  /** Close a pool stream's books after this many events (keeps every stream short to load). */
  POOL_BOOKS_EVENTS: ms(10, 1_000_000).default(1_000),
  /** Most commands written in one append (group commit). */
  POOL_MAX_BATCH: ms(1, 5_000).default(256),
  /** How long a request may wait for the pool's writer (another instance, or a takeover). */
  POOL_WRITER_TIMEOUT_MS: ms(100, 60_000).default(2_000),
  /**
   * One forwarding attempt to the writer: a request that reached a writer which then died is
   * lost with it, so the instance asks again (under the same legId: a reserve retry is idempotent).
   */
  POOL_FORWARD_ATTEMPT_MS: ms(50, 60_000).default(500),
  /** How often an instance that is not the writer tries to become it. */
  POOL_LOCK_POLL_MS: ms(10, 10_000).default(200),
  /** Admin disconnect: how long sip-edge has to accept the hang-up. */
  HANGUP_TIMEOUT_MS: ms(100, 30_000).default(2_000),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig('channel-quota', configSchema, env);
