// Replay protection for digest credentials (RFC 7616 §3.4 "nc", §5.5): the server remembers
// the highest nonce-count it accepted for each nonce and accepts only a higher one. Memory is
// bounded: at most `maxNonces` nonces are remembered, least recently used forgotten first.
//
// A forgotten nonce cannot be told from a fresh one, so the tracker also remembers the
// latest issue time among the nonces it forgot; a nonce issued at or before that time that
// it does not know is answered 'forgotten', which verifyDigest() reports as 'stale': the
// client then retries with a new nonce (no password prompt), and an old captured request
// cannot slip through after its nonce was evicted.
//
// Per process: instances behind a load balancer that share a nonce secret each keep their
// own counts (see README "Digest").

export type NonceCountResult = 'ok' | 'replay' | 'forgotten';

export class NonceCountTracker {
  readonly maxNonces: number;
  /** nonce → highest nc accepted, least recently used first (Map keeps insertion order). */
  private readonly counts = new Map<string, { nc: number; issuedAt: number }>();
  private forgottenUpTo = -Infinity;

  constructor(maxNonces = 100_000) {
    if (!Number.isInteger(maxNonces) || maxNonces < 1) throw new RangeError(`maxNonces must be a positive integer, got ${maxNonces}`);
    this.maxNonces = maxNonces;
  }

  /** Number of nonces remembered now (never above maxNonces). */
  get size(): number {
    return this.counts.size;
  }

  /**
   * Accepts `nc` for `nonce` when it is higher than every count accepted before for that
   * nonce, and records it. Call only for credentials whose response was verified, so a
   * forger cannot burn counts.
   */
  observe(nonce: string, nc: number, issuedAt: number): NonceCountResult {
    const seen = this.counts.get(nonce);
    if (seen !== undefined) {
      if (nc <= seen.nc) return 'replay';
      this.counts.delete(nonce); // re-insert: most recently used goes last
      this.counts.set(nonce, { nc, issuedAt });
      return 'ok';
    }
    if (issuedAt <= this.forgottenUpTo) return 'forgotten';
    this.counts.set(nonce, { nc, issuedAt });
    while (this.counts.size > this.maxNonces) {
      const oldest = this.counts.entries().next().value;
      if (oldest === undefined) break;
      this.counts.delete(oldest[0]);
      if (oldest[1].issuedAt > this.forgottenUpTo) this.forgottenUpTo = oldest[1].issuedAt;
    }
    return 'ok';
  }
}
