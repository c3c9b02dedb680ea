// verifyDigest() against a few thousand random and mutated Authorization values: it never
// throws, never says ok for junk, says 'malformed' for everything the header parser refuses,
// and says ok for a mutation only when the mutation did not change what the credentials say.
// Seeded, so a failure replays exactly.

import { answerChallenge } from './digest.client';
import { computeHa1 } from './digest.hash';
import { createChallenges, DigestFailure, verifyDigest, VerifyDigestOptions } from './digest.verifier';
import { clock, REALM, register, SECRET } from './test/digest.support';
import { NonceCountTracker } from './nonce-count.tracker';
import { createNonceIssuer } from './nonce.issuer';
import { parseAuthValues } from '../message/auth-header';
import { SipRequest } from '../message/message';

/** xorshift32 */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const REASONS: readonly DigestFailure[] = ['missing', 'malformed', 'wrong-realm', 'unknown-user', 'bad-response', 'stale', 'bad-nonce', 'replay', 'unsupported-algorithm', 'uri-mismatch'];
const PIECES = ['Digest', 'digest', 'Basic', ' ', ',', '=', '"', '\\', 'username', 'realm', 'nonce', 'uri', 'response', 'qop', 'auth', 'nc', 'cnonce', 'algorithm', 'MD5', 'SHA-256', 'opaque', '00000001', REALM, 'sip:pbx.example.com', '1001', '\t', '==', 'é', '\u0000', ';', '<', '>'];

function randomHeader(random: () => number): string {
  let s = '';
  const n = 1 + Math.floor(random() * 20);
  for (let i = 0; i < n; i++) {
    if (random() < 0.6) s += PIECES[Math.floor(random() * PIECES.length)];
    else s += String.fromCharCode(0x20 + Math.floor(random() * 0x5f)); // printable ASCII, no CR/LF
  }
  return s;
}

function mutate(s: string, random: () => number): string {
  const steps = 1 + Math.floor(random() * 3);
  for (let k = 0; k < steps; k++) {
    const at = Math.floor(random() * (s.length + 1));
    switch (Math.floor(random() * 4)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(random() * 8));
        break;
      case 1:
        s = s.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + String.fromCharCode(0x20 + Math.floor(random() * 0x5f)) + s.slice(at + 1);
        break;
      default:
        s = s.slice(0, at);
    }
  }
  return s;
}

function withHeader(value: string): SipRequest | undefined {
  try {
    return register([`Authorization: ${value}`]);
  } catch {
    return undefined; // the message parser refused the row (e.g. a NUL): not ours to judge
  }
}

function meaning(value: string): string | undefined {
  try {
    const [c] = parseAuthValues([value], 'Authorization').filter((v) => v.scheme.toLowerCase() === 'digest');
    if (c === undefined) return undefined;
    const p = c.params;
    // hex digits and these tokens compare case-insensitively
    const folded = [(p.get('response') ?? '').toLowerCase(), (p.get('qop') ?? '').toLowerCase(), (p.get('algorithm') ?? 'MD5').toUpperCase()];
    return JSON.stringify(['username', 'realm', 'nonce', 'uri', 'nc', 'cnonce'].map((k) => p.get(k)).concat(folded));
  } catch {
    return undefined;
  }
}

describe('verifyDigest fuzz', () => {
  const c = clock();
  const nonceRandom = rng(0xa11ce);
  const issuer = createNonceIssuer({ secret: SECRET, ttlMs: 60_000, now: c.now, random: (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(nonceRandom() * 256))) });
  const base: Omit<VerifyDigestOptions, 'nonceCounts'> = { realm: REALM, issuer, lookupHa1: (u, a) => (u === '1001' ? computeHa1(a, u, REALM, 'pw') : undefined) };

  it('4,000 random header values: no throw, never ok, malformed whenever the header parser refuses them', () => {
    const random = rng(0x5eed);
    let checked = 0;
    for (let i = 0; i < 4000; i++) {
      const value = randomHeader(random);
      const req = withHeader(value);
      if (req === undefined) continue;
      checked++;
      const verdict = verifyDigest(req, { ...base, nonceCounts: new NonceCountTracker() });
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) expect(REASONS).toContain(verdict.reason);
      let parses = true;
      try {
        parseAuthValues(req.headers.getAll('authorization'), 'Authorization');
      } catch {
        parses = false;
      }
      if (!parses) expect(verdict).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(checked).toBeGreaterThan(3000);
  });

  it('3,000 mutations of valid credentials: no throw, and ok only when the mutation kept their meaning', () => {
    const random = rng(0xd1e57);
    const valid = createChallenges(issuer, REALM).map((ch) => answerChallenge(ch, { method: 'REGISTER', uri: 'sip:pbx.example.com', username: '1001', password: 'pw', cnonce: 'abcdef12' }));
    const original = valid.map(meaning);
    let ok = 0;
    for (let i = 0; i < 3000; i++) {
      const which = i % valid.length;
      const value = mutate(valid[which], random);
      const req = withHeader(value);
      if (req === undefined) continue;
      const verdict = verifyDigest(req, { ...base, nonceCounts: new NonceCountTracker() });
      if (verdict.ok) {
        ok++;
        expect(meaning(value)).toBe(original[which]);
      } else {
        expect(REASONS).toContain(verdict.reason);
      }
    }
    // most mutations break something; the few that pass changed only spacing, case or extras
    expect(ok).toBeLessThan(3000 / 2);
  });

  it('odd but legal values round-trip: quotes and backslashes in the username, UTF-8 realm', () => {
    const realm = 'réalm "quoted" \\ here';
    const iss = createNonceIssuer({ secret: SECRET, ttlMs: 60_000 });
    const [challenge] = createChallenges(iss, realm);
    const user = 'we"ird\\user';
    const creds = answerChallenge(challenge, { method: 'REGISTER', uri: 'sip:pbx.example.com', username: user, password: 'pw' });
    const verdict = verifyDigest(register([`Authorization: ${creds}`]), { realm, issuer: iss, nonceCounts: new NonceCountTracker(), lookupHa1: (u, a) => (u === user ? computeHa1(a, u, realm, 'pw') : undefined) });
    expect(verdict).toEqual({ ok: true, username: user, algorithm: 'SHA-256' });
  });
});
