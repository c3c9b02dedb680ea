import { randomBytes } from 'node:crypto';
import { accountPasswordNeedsRehash, ScryptCost } from '@pbx/service-kit';

// An unknown login is verified against a decoy hash, so that it costs what a wrong password
// costs and the two 401s cannot be told apart by timing (docs/api.md "Login and tokens").
//
// The accounts' hashes come either from this process (the file, hashed at
// PASSWORD_SCRYPT_LOG2N) or from the stored provisioning (hashed by whoever applied it, at the
// cost they chose): the decoy must cost what *those* hashes cost. It needs no hashing: a hash in
// service-kit's format (`scrypt$N$r$p$<salt>$<key>`) with random salt and key makes
// verifyAccountPassword run scrypt at N, r, p and compare against bytes no password derives to.

/** True when `stored` is a scrypt hash service-kit can verify (its format, parameters in its bounds). */
export function isReadableAccountHash(stored: string): boolean {
  // needsRehash is true for an unreadable hash, and never for a readable one against the lowest cost.
  return !accountPasswordNeedsRehash(stored, { N: 2, r: 1, p: 1 });
}

/**
 * A decoy costing what most of `hashes` cost (the usual case: all the same); `fallback` when
 * none is readable (no accounts). Each call draws a new salt and key.
 */
export function decoyAccountHash(hashes: readonly string[], fallback: ScryptCost): string {
  const byShape = new Map<string, number>();
  for (const h of hashes) if (isReadableAccountHash(h)) byShape.set(shapeOf(h), (byShape.get(shapeOf(h)) ?? 0) + 1);
  let shape = [fallback.N, fallback.r, fallback.p, 16, 32].join('$');
  let best = 0;
  for (const [s, n] of byShape) if (n > best) [shape, best] = [s, n];
  const [N, r, p, saltBytes, keyBytes] = shape.split('$');
  return ['scrypt', N, r, p, randomBytes(Number(saltBytes)).toString('base64'), randomBytes(Number(keyBytes)).toString('base64')].join('$');
}

/** `N$r$p$<salt bytes>$<key bytes>` of a readable hash: what its verification costs. */
function shapeOf(stored: string): string {
  const [, N, r, p, salt, key] = stored.split('$');
  return [N, r, p, Buffer.from(salt, 'base64').length, Buffer.from(key, 'base64').length].join('$');
}
