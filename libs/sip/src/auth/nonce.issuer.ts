// Stateless nonces (RFC 7616 §3.3 "nonce", §5.4–§5.5): each carries its issue time and a
// random part, sealed by an HMAC under a server secret, so any instance holding the secret
// can tell a nonce it issued from a forged one, and how old it is, without storing it.
//
//   nonce = base64url( issuedAt (6 bytes, ms, big-endian) | random (10 bytes) | mac (16 bytes) )
//   mac   = first 16 bytes of HMAC-SHA-256(key, issuedAt | random | realm)
//
// The realm is sealed in, so a nonce issued for one realm is worthless in another.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const TIME_BYTES = 6;
const RANDOM_BYTES = 10;
const MAC_BYTES = 16;
const PAYLOAD_BYTES = TIME_BYTES + RANDOM_BYTES;
const NONCE_BYTES = PAYLOAD_BYTES + MAC_BYTES;
/** 32 bytes in base64url without padding. */
const NONCE_CHARS = Math.ceil((NONCE_BYTES * 8) / 6);
const NONCE_RE = /^[A-Za-z0-9_-]+$/;
const MIN_SECRET_BYTES = 16;

export type NonceCheck =
  /** Ours and within its lifetime. */
  | { readonly status: 'valid'; readonly issuedAt: number }
  /** Ours, but older than the lifetime: re-challenge with stale=true (RFC 7616 §3.3). */
  | { readonly status: 'stale'; readonly issuedAt: number }
  /** Not issued by this secret for this realm (forged, altered, truncated, from the future). */
  | { readonly status: 'invalid' };

export interface NonceIssuer {
  /** Lifetime of a nonce. */
  readonly ttlMs: number;
  /** The `opaque` value sent with every challenge; constant per secret (RFC 7616 §3.3). */
  readonly opaque: string;
  /** A fresh nonce for a challenge in `realm`. */
  issue(realm: string): string;
  /** Never throws, whatever the input. */
  check(nonce: string, realm: string): NonceCheck;
}

export interface NonceIssuerOptions {
  /** At least 16 bytes; every instance that must accept another's nonces shares it. */
  readonly secret: Buffer | string;
  readonly ttlMs: number;
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number;
  /** Random bytes; injected for tests. */
  readonly random?: (size: number) => Buffer;
  /**
   * How far in the future an issue time may lie and still be accepted, for instances whose
   * clocks disagree a little (default 5 s). Beyond it the nonce is 'invalid'.
   */
  readonly clockSkewMs?: number;
}

export function createNonceIssuer(options: NonceIssuerOptions): NonceIssuer {
  const secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : options.secret;
  if (!Buffer.isBuffer(secret) || secret.length < MIN_SECRET_BYTES) throw new TypeError(`nonce secret must be at least ${MIN_SECRET_BYTES} bytes`);
  const { ttlMs } = options;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`nonce ttlMs must be a positive number, got ${ttlMs}`);
  const now = options.now ?? Date.now;
  const random = options.random ?? randomBytes;
  const skew = options.clockSkewMs ?? 5_000;
  // separate keys for separate purposes, both derived from the one secret
  const key = createHmac('sha256', secret).update('pbx-sip-digest-nonce').digest();
  const opaque = createHmac('sha256', secret).update('pbx-sip-digest-opaque').digest().subarray(0, 16).toString('base64url');

  function mac(payload: Buffer, realm: string): Buffer {
    return createHmac('sha256', key).update(payload).update(realm, 'utf8').digest().subarray(0, MAC_BYTES);
  }

  return {
    ttlMs,
    opaque,
    issue(realm: string): string {
      const t = Math.floor(now());
      const payload = Buffer.alloc(PAYLOAD_BYTES);
      payload.writeUIntBE(t, 0, TIME_BYTES);
      const r = random(RANDOM_BYTES);
      if (r.length < RANDOM_BYTES) throw new RangeError('random() returned too few bytes');
      r.copy(payload, TIME_BYTES, 0, RANDOM_BYTES);
      return Buffer.concat([payload, mac(payload, realm)]).toString('base64url');
    },
    check(nonce: string, realm: string): NonceCheck {
      if (typeof nonce !== 'string' || nonce.length !== NONCE_CHARS || !NONCE_RE.test(nonce)) return { status: 'invalid' };
      const raw = Buffer.from(nonce, 'base64url');
      // base64url leaves spare bits in the last character: accept only the one spelling we
      // issue, so that a nonce has a single name in the nonce-count tracker
      if (raw.length !== NONCE_BYTES || raw.toString('base64url') !== nonce) return { status: 'invalid' };
      const payload = raw.subarray(0, PAYLOAD_BYTES);
      if (!timingSafeEqual(raw.subarray(PAYLOAD_BYTES), mac(payload, realm))) return { status: 'invalid' };
      const issuedAt = payload.readUIntBE(0, TIME_BYTES);
      const age = now() - issuedAt;
      if (age < -skew) return { status: 'invalid' };
      return age > ttlMs ? { status: 'stale', issuedAt } : { status: 'valid', issuedAt };
    },
  };
}
