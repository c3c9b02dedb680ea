import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { defaultHttpPort } from '@pbx/contracts';
import { baseConfigSchema, loadConfig } from '@pbx/service-kit';

const port = z.coerce.number().int().min(0).max(65535);

/** sip-edge settings, validated once at boot (ARCHITECTURE.md "config"). docs/sip-edge.md lists them. */
export const configSchema = baseConfigSchema.extend({
  HTTP_PORT: port.default(defaultHttpPort('sip-edge')),
  // registrations and leg events live in PostgreSQL
  DATABASE_URL: z.string().url(),
  PROVISIONING_FILE: z.string().min(1),
  /** Address the SIP listeners bind to. */
  SIP_BIND_HOST: z.string().min(1).default('127.0.0.1'),
  /** Host written in Via/Contact (defaults to SIP_BIND_HOST, or 127.0.0.1 when binding 0.0.0.0). */
  SIP_ADVERTISED_HOST: z.string().min(1).optional(),
  SIP_UDP_PORT: port.default(5060),
  SIP_TCP_PORT: port.default(5060),
  /** WebSocket (RFC 7118) for browser phones; 0 = no WebSocket listener. */
  SIP_WS_PORT: port.default(5066),
  /** rtpengine's NG control socket, host:port. */
  RTPENGINE_NG: z
    .string()
    .regex(/^[^:]+:\d+$/, 'must be host:port')
    .default('127.0.0.1:22222'),
  /** UDP port where rtpengine's --dtmf-log-dest sends RFC 4733 events (0 = off). */
  DTMF_LISTEN_PORT: port.default(0),
  /** Channel quota (SPEC §3) over NATS; 'off' only for tests of SIP alone. */
  CHANNEL_QUOTA: z.enum(['on', 'off']).default('on'),
  CHANNEL_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** Shared by every sip-edge instance so each accepts the others' nonces. */
  DIGEST_NONCE_SECRET: z.string().min(16).default(randomBytes(24).toString('hex')),
  /**
   * Digest algorithms offered, one challenge row each, in this order (RFC 8760). MD5 alone by
   * default: SIPp 3.6 answers the first challenge only and sip.js the last only, and neither
   * knows SHA-256, so a second row locks one of them out. `SHA-256,MD5` for fleets that cope.
   */
  DIGEST_ALGORITHMS: z
    .string()
    .default('MD5')
    .transform((s) => s.split(',').map((a) => a.trim().toUpperCase()))
    .pipe(z.array(z.enum(['MD5', 'SHA-256'])).min(1)),
  DIGEST_NONCE_TTL_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  REGISTER_MIN_EXPIRES: z.coerce.number().int().min(1).default(60),
  REGISTER_MAX_EXPIRES: z.coerce.number().int().min(60).default(3600),
  /** SIGTERM: how long live calls may go on before they are hung up (seconds). */
  DRAIN_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** An answered call is hung up after this many seconds (no RFC 4028 session timers yet): nothing is held for ever. */
  MAX_CALL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(14_400),
  /**
   * An instance whose heartbeat (every 2 s) is older than this is dead: another instance hangs
   * up its answered calls on both sides and records their end (docs/sip-edge.md "Instances").
   */
  ORPHAN_AFTER_SECONDS: z.coerce.number().int().min(3).max(3600).default(10),
  /** SIP timer T1 in ms (RFC 3261 §17: 500). */
  SIP_T1_MS: z.coerce.number().int().min(50).max(5_000).default(500),
  /** Trunk OPTIONS keep-alive interval (seconds, 0 = off). */
  TRUNK_OPTIONS_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig('sip-edge', configSchema, env);
