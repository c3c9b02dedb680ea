// Interoperability with an independent implementation: sip.js 0.21 (the browser softphone's
// stack) answers our challenge and verifyDigest() accepts its credentials. sip.js speaks MD5
// only, and its parser keeps the last WWW-Authenticate row of a 401 (each row replaces the
// one before), which in our default 401 is the MD5 one.

import { DigestAuthentication, LoggerFactory, Parser } from 'sip.js/lib/core/index.js';
import { formatDigestSecret, ha1FromSecret, parseDigestSecret } from './digest.hash';
import { createChallenges, verifyDigest } from './digest.verifier';
import { REALM, register, SECRET } from './test/digest.support';
import { NonceCountTracker } from './nonce-count.tracker';
import { createNonceIssuer } from './nonce.issuer';

const PASSWORD = 'correct horse';

function quietLogger(): LoggerFactory {
  const f = new LoggerFactory();
  f.builtinEnabled = false;
  return f;
}

/** Our 401 as text, parsed by sip.js's own parser, and the challenge object it hands to DigestAuthentication. */
function sipjsChallenge(challenges: string[]): unknown {
  const text = [
    'SIP/2.0 401 Unauthorized',
    'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1',
    'From: <sip:1001@pbx.example.com>;tag=a73kszlfl',
    'To: <sip:1001@pbx.example.com>;tag=srv1',
    'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10',
    'CSeq: 2 REGISTER',
    ...challenges.map((c) => `WWW-Authenticate: ${c}`),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const factory = quietLogger();
  const message = Parser.parseMessage(text, factory.getLogger('test'));
  if (message === undefined || !('parseHeader' in message)) throw new Error('sip.js did not parse our 401');
  return message.parseHeader('www-authenticate');
}

describe('sip.js DigestAuthentication against verifyDigest', () => {
  const issuer = createNonceIssuer({ secret: SECRET, ttlMs: 60_000 });
  const stored = parseDigestSecret(formatDigestSecret('1001', REALM, PASSWORD));
  const options = {
    realm: REALM,
    issuer,
    nonceCounts: new NonceCountTracker(),
    lookupHa1: (username: string, algorithm: 'MD5' | 'SHA-256') => (username === '1001' && stored ? ha1FromSecret(stored, algorithm) : undefined),
  };

  it('sip.js answers our MD5 challenge (nc 1, then 2) and we accept its credentials', () => {
    const challenge = sipjsChallenge(createChallenges(issuer, REALM, { algorithms: ['MD5'] }));
    const auth = new DigestAuthentication(quietLogger(), undefined, '1001', PASSWORD);
    for (const nc of [1, 2]) {
      // sip.js reads .method and .ruri of its outgoing request message
      const request = { method: 'REGISTER', ruri: 'sip:pbx.example.com' } as unknown as Parameters<DigestAuthentication['authenticate']>[0];
      expect(auth.authenticate(request, challenge)).toBe(true);
      const credentials = auth.toString();
      expect(credentials).toContain(`nc=0000000${nc}`);
      expect(verifyDigest(register([`Authorization: ${credentials}`]), options)).toEqual({ ok: true, username: '1001', algorithm: 'MD5' });
    }
  });

  it('we refuse sip.js credentials made with a wrong password', () => {
    const challenge = sipjsChallenge(createChallenges(issuer, REALM, { algorithms: ['MD5'] }));
    const auth = new DigestAuthentication(quietLogger(), undefined, '1001', 'wrong');
    const request = { method: 'REGISTER', ruri: 'sip:pbx.example.com' } as unknown as Parameters<DigestAuthentication['authenticate']>[0];
    expect(auth.authenticate(request, challenge)).toBe(true);
    expect(verifyDigest(register([`Authorization: ${auth.toString()}`]), options)).toEqual({ ok: false, reason: 'bad-response' });
  });

  it('sip.js answers our default 401 (SHA-256 row, then MD5 row) with MD5, as its parser keeps the last row', () => {
    const challenge = sipjsChallenge(createChallenges(issuer, REALM));
    const auth = new DigestAuthentication(quietLogger(), undefined, '1001', PASSWORD);
    const request = { method: 'REGISTER', ruri: 'sip:pbx.example.com' } as unknown as Parameters<DigestAuthentication['authenticate']>[0];
    expect(auth.authenticate(request, challenge)).toBe(true);
    expect(verifyDigest(register([`Authorization: ${auth.toString()}`]), options)).toEqual({ ok: true, username: '1001', algorithm: 'MD5' });
  });

  it('sip.js cannot answer a SHA-256-only challenge: softphones need MD5 offered', () => {
    const challenge = sipjsChallenge(createChallenges(issuer, REALM, { algorithms: ['SHA-256'] }));
    const auth = new DigestAuthentication(quietLogger(), undefined, '1001', PASSWORD);
    const request = { method: 'REGISTER', ruri: 'sip:pbx.example.com' } as unknown as Parameters<DigestAuthentication['authenticate']>[0];
    expect(auth.authenticate(request, challenge)).toBe(false);
  });
});
