// Branch ids and tags (RFC 3261 §8.1.1.7, §19.3).

import { randomBytes } from 'node:crypto';

/** RFC 3261 §8.1.1.7: a branch starting with this cookie was made by an RFC 3261 element. */
export const MAGIC_COOKIE = 'z9hG4bK';

// Random bytes are drawn in blocks: one randomBytes() call per 256 ids instead of one each.
const POOL_IDS = 256;
const ID_BYTES = 12;
let pool = Buffer.alloc(0);
let at = 0;

function randomHex(bytes: number): string {
  if (at + bytes > pool.length) {
    pool = randomBytes(POOL_IDS * ID_BYTES);
    at = 0;
  }
  const s = pool.toString('hex', at, at + bytes);
  at += bytes;
  return s;
}

/** 'z9hG4bK' + 96 random bits as hex: unique in space and time (§8.1.1.7). */
export function newBranch(): string {
  return MAGIC_COOKIE + randomHex(ID_BYTES);
}

/** A To/From tag: 64 random bits as hex (§19.3 asks for at least 32). */
export function newTag(): string {
  return randomHex(8);
}

export function hasMagicCookie(branch: string | undefined): branch is string {
  return branch !== undefined && branch.startsWith(MAGIC_COOKIE);
}
