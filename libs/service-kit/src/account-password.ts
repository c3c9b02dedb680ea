import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// Admin-portal account passwords (SPEC §11), hashed as soon as the provisioning file is loaded
// so that clear text never stays in memory or reaches a log. scrypt (RFC 7914) from node:crypto:
// memory-hard, no native addon, no new package.
//
// The stored form describes itself, so the cost can be raised later without invalidating old
// hashes:  scrypt$<N>$<r>$<p>$<salt, base64>$<derived key, base64>

export interface ScryptCost {
  /** CPU/memory cost, a power of two (RFC 7914 §2). */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelisation. */
  p: number;
}

/** 2^15 × 8 × 128 B = 32 MiB per hash, ~100 ms on one core here: the usual interactive-login cost. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds accepted when reading a stored hash, so a forged string cannot ask for gigabytes or hours. */
const LIMITS = { maxN: 2 ** 20, maxR: 32, maxP: 16, minKey: 16, maxKey: 64, minSalt: 8, maxSalt: 64 } as const;

const b64 = /^[A-Za-z0-9+/]+={0,2}$/;
const digits = /^[1-9][0-9]{0,8}$/;

export class AccountPasswordHashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountPasswordHashError';
  }
}

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  key: Buffer;
}

function checkCost(c: ScryptCost): void {
  const powerOfTwo = Number.isInteger(c.N) && c.N > 1 && (c.N & (c.N - 1)) === 0;
  if (!powerOfTwo || c.N > LIMITS.maxN) throw new AccountPasswordHashError(`scrypt N must be a power of two in 2..${LIMITS.maxN}`);
  if (!Number.isInteger(c.r) || c.r < 1 || c.r > LIMITS.maxR) throw new AccountPasswordHashError(`scrypt r must be in 1..${LIMITS.maxR}`);
  if (!Number.isInteger(c.p) || c.p < 1 || c.p > LIMITS.maxP) throw new AccountPasswordHashError(`scrypt p must be in 1..${LIMITS.maxP}`);
}

/** scrypt needs 128·N·r bytes; Node refuses above `maxmem` (32 MiB by default), so ask for what the cost needs. */
function derive(password: string, salt: Buffer, keyLength: number, c: ScryptCost): Promise<Buffer> {
  const maxmem = 128 * c.N * c.r * c.p + 16 * 1024 * 1024;
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLength, { N: c.N, r: c.r, p: c.p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Reads a stored hash; undefined when it is not one this module wrote (or its parameters are out of bounds). */
function parse(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, n, r, p, salt, key] = parts;
  if (!digits.test(n) || !digits.test(r) || !digits.test(p) || !b64.test(salt) || !b64.test(key)) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  try {
    checkCost(cost);
  } catch {
    return undefined;
  }
  const s = Buffer.from(salt, 'base64');
  const k = Buffer.from(key, 'base64');
  if (s.length < LIMITS.minSalt || s.length > LIMITS.maxSalt || k.length < LIMITS.minKey || k.length > LIMITS.maxKey) return undefined;
  return { cost, salt: s, key: k };
}

/** Hashes an account password: `scrypt$N$r$p$<salt b64>$<hash b64>` with a fresh random salt. */
export async function hashAccountPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST, salt: Buffer = randomBytes(SALT_BYTES)): Promise<string> {
  checkCost(cost);
  if (salt.length < LIMITS.minSalt || salt.length > LIMITS.maxSalt) throw new AccountPasswordHashError(`salt must be ${LIMITS.minSalt}..${LIMITS.maxSalt} bytes`);
  const key = await derive(password, salt, KEY_BYTES, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * True when `password` matches `stored`. The comparison is constant-time; a stored value that
 * is not a hash of this format answers false (never throws, never compares clear text).
 */
export async function verifyAccountPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h) return false;
  const key = await derive(password, h.salt, h.key.length, h.cost);
  return timingSafeEqual(key, h.key);
}

/** Whether a stored hash was made with a lower cost than `cost` (rehash on the next provisioning load). */
export function accountPasswordNeedsRehash(stored: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): boolean {
  const h = parse(stored);
  return !h || h.cost.N < cost.N || h.cost.r < cost.r || h.cost.p < cost.p;
}
