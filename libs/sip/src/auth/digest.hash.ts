// The digest computations of RFC 7616 §3.4.1–§3.4.3 (RFC 2617 §3.2.2 for MD5), as SIP uses
// them (RFC 3261 §22.4), and the stored form of an extension's secret. Only qop=auth and the
// non-session algorithms: MD5 (RFC 2617) and SHA-256 (RFC 7616, for SIP RFC 8760).

import { createHash } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** Every algorithm we speak, in the order a server offers them (RFC 8760 §2.4: strongest first). */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.freeze(['SHA-256', 'MD5'] as const);

const NODE_HASH: Readonly<Record<DigestAlgorithm, string>> = { MD5: 'md5', 'SHA-256': 'sha256' };

/** Hex length of a hash (and so of HA1 and of a `response`). */
export const DIGEST_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { MD5: 32, 'SHA-256': 64 };

/**
 * The algorithm named by an `algorithm` parameter; absent means MD5 (RFC 2617 §3.2.1).
 * Tokens compare case-insensitively (RFC 7616 §3.3). The -sess variants are not supported.
 */
export function digestAlgorithmOf(param: string | undefined): DigestAlgorithm | undefined {
  if (param === undefined) return 'MD5';
  const up = param.toUpperCase();
  return up === 'MD5' || up === 'SHA-256' ? up : undefined;
}

/** H(data) in lower-case hex; text is hashed as UTF-8 (RFC 7616 §4). */
export function digestHash(algorithm: DigestAlgorithm, data: string | Buffer): string {
  const name = NODE_HASH[algorithm];
  if (name === undefined) throw new TypeError(`unsupported digest algorithm ${JSON.stringify(algorithm)}`);
  return createHash(name).update(data).digest('hex');
}

/** HA1 = H(username ":" realm ":" password) (RFC 7616 §3.4.2), lower-case hex. */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm;
  /** Lower-case hex. */
  readonly ha1: string;
  readonly method: string;
  /** The `uri` parameter exactly as sent (the digest-uri, not a re-formatted Request-URI). */
  readonly uri: string;
  readonly nonce: string;
  /** Absent together with nc and cnonce: the RFC 2069 form, answered only by answerChallenge(). */
  readonly qop?: 'auth' | 'auth-int';
  /** The 8 hex digits as sent ("00000001"). */
  readonly nc?: string;
  readonly cnonce?: string;
  /** For qop=auth-int only. */
  readonly body?: Buffer;
}

/**
 * request-digest (RFC 7616 §3.4.1): KD(HA1, nonce ":" nc ":" cnonce ":" qop ":" HA2) with
 * HA2 = H(method ":" uri) for auth, H(method ":" uri ":" H(body)) for auth-int; without qop,
 * KD(HA1, nonce ":" HA2) (RFC 2617 §3.2.2.1).
 */
export function digestResponse(input: DigestResponseInput): string {
  const { algorithm, ha1, method, uri, nonce, qop } = input;
  const a2 = qop === 'auth-int' ? `${method}:${uri}:${digestHash(algorithm, input.body ?? Buffer.alloc(0))}` : `${method}:${uri}`;
  const ha2 = digestHash(algorithm, a2);
  if (qop === undefined) return digestHash(algorithm, `${ha1}:${nonce}:${ha2}`);
  return digestHash(algorithm, `${ha1}:${nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${qop}:${ha2}`);
}

const SECRET_PREFIX = 'digest-ha1:';
const SECRET_RE = /^digest-ha1:(?:md5=([0-9a-fA-F]{32});sha-256=([0-9a-fA-F]{64})|sha-256=([0-9a-fA-F]{64});md5=([0-9a-fA-F]{32}))$/;

/**
 * The stored form of an extension's SIP secret: HA1 for both algorithms, no clear text,
 * `digest-ha1:md5=<hex>;sha-256=<hex>`. HA1 is bound to the username and realm: renaming
 * either needs the password again. It is still a password equivalent for that realm
 * (whoever holds it can answer challenges), so store it as a secret.
 */
export function formatDigestSecret(username: string, realm: string, password: string): string {
  return `${SECRET_PREFIX}md5=${computeHa1('MD5', username, realm, password)};sha-256=${computeHa1('SHA-256', username, realm, password)}`;
}

/** Reads formatDigestSecret()'s output (either order, any hex case); undefined for anything else. */
export function parseDigestSecret(stored: string): { md5: string; sha256: string } | undefined {
  if (typeof stored !== 'string') return undefined;
  const m = SECRET_RE.exec(stored.trim());
  if (m === null) return undefined;
  const md5 = m[1] ?? m[4];
  const sha256 = m[2] ?? m[3];
  return { md5: md5.toLowerCase(), sha256: sha256.toLowerCase() };
}

/** HA1 of one algorithm from a parsed secret, for verifyDigest()'s lookupHa1. */
export function ha1FromSecret(secret: { md5: string; sha256: string }, algorithm: DigestAlgorithm): string {
  return algorithm === 'MD5' ? secret.md5 : secret.sha256;
}
