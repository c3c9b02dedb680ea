import { createNonceIssuer } from './nonce.issuer';

const SECRET = 'a-test-secret-of-32-bytes-length';

function clock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('stateless nonces (RFC 7616 §3.3, §5.5)', () => {
  it('accepts its own nonce within the lifetime and says stale after it, keeping the issue time', () => {
    const c = clock();
    const issuer = createNonceIssuer({ secret: SECRET, ttlMs: 30_000, now: c.now });
    const issuedAt = c.now();
    const nonce = issuer.issue('pbx.example.com');
    expect(issuer.check(nonce, 'pbx.example.com')).toEqual({ status: 'valid', issuedAt });
    c.advance(30_000);
    expect(issuer.check(nonce, 'pbx.example.com').status).toBe('valid'); // the lifetime is inclusive
    c.advance(1);
    expect(issuer.check(nonce, 'pbx.example.com')).toEqual({ status: 'stale', issuedAt });
  });

  it('issues a different nonce every time, even within one millisecond', () => {
    const issuer = createNonceIssuer({ secret: SECRET, ttlMs: 1000, now: () => 5 });
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(issuer.issue('r'));
    expect(seen.size).toBe(1000);
  });

  it('refuses nonces from another secret or for another realm', () => {
    const c = clock();
    const a = createNonceIssuer({ secret: SECRET, ttlMs: 30_000, now: c.now });
    const b = createNonceIssuer({ secret: 'another-secret-of-enough-length!', ttlMs: 30_000, now: c.now });
    expect(b.check(a.issue('r'), 'r')).toEqual({ status: 'invalid' });
    expect(a.check(a.issue('r'), 'other')).toEqual({ status: 'invalid' });
  });

  it('refuses every single-character alteration and every truncation', () => {
    const issuer = createNonceIssuer({ secret: SECRET, ttlMs: 30_000 });
    const nonce = issuer.issue('r');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < nonce.length; i++) {
      const other = alphabet[(alphabet.indexOf(nonce[i]) + 1) % alphabet.length];
      const forged = nonce.slice(0, i) + other + nonce.slice(i + 1);
      expect(issuer.check(forged, 'r').status).toBe('invalid');
    }
    for (let n = 0; n < nonce.length; n++) expect(issuer.check(nonce.slice(0, n), 'r').status).toBe('invalid');
    expect(issuer.check(nonce + 'A', 'r').status).toBe('invalid');
  });

  it('accepts one spelling only (the spare bits of the last base64url character must be zero)', () => {
    // 32 bytes take 43 characters, whose last carries 2 spare bits: 'A' and 'B' can decode alike.
    const issuer = createNonceIssuer({ secret: SECRET, ttlMs: 30_000, random: () => Buffer.alloc(10, 7) });
    const nonce = issuer.issue('r');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(nonce[nonce.length - 1]);
    const respelled = nonce.slice(0, -1) + alphabet[last | 1];
    expect(respelled).not.toBe(nonce);
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(nonce, 'base64url'));
    expect(issuer.check(respelled, 'r').status).toBe('invalid');
  });

  it('refuses a nonce dated in the future beyond the clock skew allowance', () => {
    const c = clock();
    const issuer = createNonceIssuer({ secret: SECRET, ttlMs: 30_000, now: c.now, clockSkewMs: 1000 });
    c.advance(5000);
    const fromTheFuture = issuer.issue('r');
    c.advance(-5000);
    expect(issuer.check(fromTheFuture, 'r').status).toBe('invalid');
    c.advance(4000);
    expect(issuer.check(fromTheFuture, 'r').status).toBe('valid'); // 1 s ahead: within the allowance
  });

  it('never throws on junk', () => {
    const issuer = createNonceIssuer({ secret: SECRET, ttlMs: 30_000 });
    for (const junk of ['', '=', '%%%', 'A'.repeat(43), 'A'.repeat(10_000), '\u0000'.repeat(43), '😀'.repeat(22), null as unknown as string]) {
      expect(issuer.check(junk, 'r')).toEqual({ status: 'invalid' });
    }
  });

  it('has an opaque value constant per secret', () => {
    const a = createNonceIssuer({ secret: SECRET, ttlMs: 1 });
    expect(a.opaque).toBe(createNonceIssuer({ secret: SECRET, ttlMs: 2 }).opaque);
    expect(a.opaque).not.toBe(createNonceIssuer({ secret: 'another-secret-of-enough-length!', ttlMs: 1 }).opaque);
  });

  it('refuses a short secret and a non-positive lifetime', () => {
    expect(() => createNonceIssuer({ secret: 'short', ttlMs: 1000 })).toThrow(TypeError);
    expect(() => createNonceIssuer({ secret: SECRET, ttlMs: 0 })).toThrow(RangeError);
    expect(() => createNonceIssuer({ secret: SECRET, ttlMs: Number.NaN })).toThrow(RangeError);
  });
});
