import { answerChallenge } from './digest.client';
import { computeHa1, DigestAlgorithm, formatDigestSecret, ha1FromSecret, parseDigestSecret } from './digest.hash';
import { createChallenges, verifyDigest, VerifyDigestOptions } from './digest.verifier';
import { clock, REALM, register, SECRET } from './test/digest.support';
import { NonceCountTracker } from './nonce-count.tracker';
import { createNonceIssuer, NonceIssuer } from './nonce.issuer';
import { parseAuthValues } from '../message/auth-header';

const USERS: Record<string, string> = { '1001': 'correct horse', '1002': 'battery staple' };

function setup(ttlMs = 60_000) {
  const c = clock();
  const issuer = createNonceIssuer({ secret: SECRET, ttlMs, now: c.now });
  const nonceCounts = new NonceCountTracker(1000);
  const stored = Object.fromEntries(Object.entries(USERS).map(([u, p]) => [u, parseDigestSecret(formatDigestSecret(u, REALM, p))]));
  const options: VerifyDigestOptions = {
    realm: REALM,
    issuer,
    nonceCounts,
    lookupHa1: (username, algorithm) => {
      const s = stored[username];
      return s === undefined ? undefined : ha1FromSecret(s, algorithm);
    },
  };
  return { c, issuer, nonceCounts, options };
}

/** The challenge of that algorithm among createChallenges()' values. */
function challengeFor(issuer: NonceIssuer, algorithm: DigestAlgorithm, stale = false): string {
  const all = createChallenges(issuer, REALM, { stale });
  const found = all.find((v) => parseAuthValues([v], 'WWW-Authenticate')[0].params.get('algorithm') === algorithm);
  if (found === undefined) throw new Error('no challenge for ' + algorithm);
  return found;
}

function answer(challenge: string, opts: { username?: string; password?: string; nc?: number; uri?: string; method?: string } = {}): string {
  return answerChallenge(challenge, {
    method: opts.method ?? 'REGISTER',
    uri: opts.uri ?? 'sip:pbx.example.com',
    username: opts.username ?? '1001',
    password: opts.password ?? USERS['1001'],
    nc: opts.nc,
    cnonce: 'c0ffee01',
  });
}

function nonceOf(credentials: string): string {
  return parseAuthValues([credentials], 'Authorization')[0].params.get('nonce') ?? '';
}

describe('createChallenges (RFC 8760 §2.4, RFC 7616 §3.3)', () => {
  it('offers SHA-256 first, then MD5, each with realm, its own nonce, opaque and qop="auth"', () => {
    const { issuer } = setup();
    const values = createChallenges(issuer, REALM);
    expect(values).toHaveLength(2);
    const [sha, md5] = values.map((v) => parseAuthValues([v], 'WWW-Authenticate')[0]);
    expect(sha.scheme).toBe('Digest');
    expect(sha.params.get('algorithm')).toBe('SHA-256');
    expect(md5.params.get('algorithm')).toBe('MD5');
    for (const c of [sha, md5]) {
      expect(c.params.get('realm')).toBe(REALM);
      expect(c.params.get('qop')).toBe('auth');
      expect(c.params.get('opaque')).toBe(issuer.opaque);
      expect(issuer.check(c.params.get('nonce') ?? '', REALM).status).toBe('valid');
      expect(c.params.has('stale')).toBe(false);
    }
    expect(sha.params.get('nonce')).not.toBe(md5.params.get('nonce'));
    expect(values[0]).toMatch(/qop="auth"/); // a quoted list in a challenge (RFC 3261 §25.1)
  });

  it('adds stale=true when asked, and offers only the algorithms asked for, still SHA-256 first', () => {
    const { issuer } = setup();
    expect(createChallenges(issuer, REALM, { stale: true })[0]).toMatch(/, stale=true$/);
    expect(createChallenges(issuer, REALM, { algorithms: ['SHA-256'] })).toHaveLength(1);
    const both = createChallenges(issuer, REALM, { algorithms: ['MD5', 'SHA-256'] });
    expect(both.map((v) => parseAuthValues([v], 'WWW-Authenticate')[0].params.get('algorithm'))).toEqual(['SHA-256', 'MD5']);
    expect(() => createChallenges(issuer, REALM, { algorithms: [] })).toThrow(RangeError);
  });
});

describe('verifyDigest (RFC 3261 §22.4, RFC 7616 §3.4)', () => {
  it.each(['SHA-256', 'MD5'] as const)('round trip with %s: challenge → answerChallenge → ok', (algorithm) => {
    const { issuer, options } = setup();
    const creds = answer(challengeFor(issuer, algorithm));
    expect(verifyDigest(register([`Authorization: ${creds}`]), options)).toEqual({ ok: true, username: '1001', algorithm });
  });

  it('reads Proxy-Authorization when told to, and only then', () => {
    const { issuer, options } = setup();
    const creds = answer(challengeFor(issuer, 'SHA-256'));
    const req = register([`Proxy-Authorization: ${creds}`]);
    expect(verifyDigest(req, { ...options, header: 'proxy-authorization' })).toMatchObject({ ok: true });
    expect(verifyDigest(req, options)).toEqual({ ok: false, reason: 'missing' });
  });

  it('accepts nc strictly increasing on one nonce (1, 2, then a gap to 9)', () => {
    const { issuer, options } = setup();
    const challenge = challengeFor(issuer, 'MD5');
    for (const nc of [1, 2, 9]) expect(verifyDigest(register([`Authorization: ${answer(challenge, { nc })}`]), options)).toMatchObject({ ok: true });
  });

  it('says replay for an nc already used, or lower than the highest used, on that nonce', () => {
    const { issuer, options } = setup();
    const challenge = challengeFor(issuer, 'SHA-256');
    expect(verifyDigest(register([`Authorization: ${answer(challenge, { nc: 3 })}`]), options)).toMatchObject({ ok: true });
    expect(verifyDigest(register([`Authorization: ${answer(challenge, { nc: 3 })}`]), options)).toEqual({ ok: false, reason: 'replay' });
    expect(verifyDigest(register([`Authorization: ${answer(challenge, { nc: 2 })}`]), options)).toEqual({ ok: false, reason: 'replay' });
    expect(verifyDigest(register([`Authorization: ${answer(challenge, { nc: 4 })}`]), options)).toMatchObject({ ok: true });
  });

  it('does not let a wrong response burn nonce counts', () => {
    const { issuer, options } = setup();
    const challenge = challengeFor(issuer, 'SHA-256');
    expect(verifyDigest(register([`Authorization: ${answer(challenge, { nc: 5, password: 'guess' })}`]), options)).toEqual({ ok: false, reason: 'bad-response' });
    expect(verifyDigest(register([`Authorization: ${answer(challenge, { nc: 1 })}`]), options)).toMatchObject({ ok: true });
  });

  it('says stale for a right response on an expired nonce, and the fresh stale=true challenge then works', () => {
    const { c, issuer, options } = setup(30_000);
    const creds = answer(challengeFor(issuer, 'SHA-256'));
    c.advance(30_001);
    expect(verifyDigest(register([`Authorization: ${creds}`]), options)).toEqual({ ok: false, reason: 'stale' });
    const retry = answer(challengeFor(issuer, 'SHA-256', true));
    expect(verifyDigest(register([`Authorization: ${retry}`]), options)).toMatchObject({ ok: true });
  });

  it('says bad-response, not stale, for a wrong password on an expired nonce (stale=true would skip the password prompt)', () => {
    const { c, issuer, options } = setup(30_000);
    const creds = answer(challengeFor(issuer, 'MD5'), { password: 'guess' });
    c.advance(60_000);
    expect(verifyDigest(register([`Authorization: ${creds}`]), options)).toEqual({ ok: false, reason: 'bad-response' });
  });

  it('says stale when the tracker forgot the nonce (evicted), so an old request cannot be replayed after eviction', () => {
    const { issuer, options } = setup();
    const tiny = { ...options, nonceCounts: new NonceCountTracker(1) };
    const first = answer(challengeFor(issuer, 'MD5'));
    expect(verifyDigest(register([`Authorization: ${first}`]), tiny)).toMatchObject({ ok: true });
    const second = answer(challengeFor(issuer, 'MD5'));
    expect(verifyDigest(register([`Authorization: ${second}`]), tiny)).toMatchObject({ ok: true }); // evicts the first nonce
    expect(verifyDigest(register([`Authorization: ${first}`]), tiny)).toEqual({ ok: false, reason: 'stale' });
  });

  it('says bad-nonce for a forged nonce (right response computed over it), another realm\'s or another secret\'s', () => {
    const { issuer, options } = setup();
    const forged = 'Digest realm="pbx.example.com", nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", qop="auth", algorithm=MD5';
    expect(verifyDigest(register([`Authorization: ${answer(forged)}`]), options)).toEqual({ ok: false, reason: 'bad-nonce' });
    const otherRealm = createChallenges(issuer, 'other.example.com')[0].replace('realm="other.example.com"', `realm="${REALM}"`);
    expect(verifyDigest(register([`Authorization: ${answer(otherRealm)}`]), options)).toEqual({ ok: false, reason: 'bad-nonce' });
    const stranger = createNonceIssuer({ secret: 'another-secret-of-enough-length!', ttlMs: 60_000 });
    expect(verifyDigest(register([`Authorization: ${answer(createChallenges(stranger, REALM)[0])}`]), options)).toEqual({ ok: false, reason: 'bad-nonce' });
  });

  it('says missing without credentials, or with only non-Digest ones', () => {
    const { options } = setup();
    expect(verifyDigest(register(), options)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyDigest(register(['Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==']), options)).toEqual({ ok: false, reason: 'missing' });
  });

  it('says wrong-realm when no credentials name our realm, and picks ours among several', () => {
    const { issuer, options } = setup();
    const creds = answer(challengeFor(issuer, 'SHA-256'));
    expect(verifyDigest(register([`Authorization: ${creds.replace(`realm="${REALM}"`, 'realm="elsewhere"')}`]), options)).toEqual({ ok: false, reason: 'wrong-realm' });
    const foreign = 'Digest username="x", realm="elsewhere", nonce="n", uri="sip:pbx.example.com", response="00", qop=auth, nc=00000001, cnonce="c"';
    expect(verifyDigest(register([`Authorization: ${foreign}`, `Authorization: ${creds}`]), options)).toMatchObject({ ok: true });
  });

  it('says unknown-user for a user without a stored HA1', () => {
    const { issuer, options } = setup();
    expect(verifyDigest(register([`Authorization: ${answer(challengeFor(issuer, 'MD5'), { username: '4999', password: 'x' })}`]), options)).toEqual({ ok: false, reason: 'unknown-user' });
  });

  it('says bad-response for a wrong password, and for the right password of another user', () => {
    const { issuer, options } = setup();
    expect(verifyDigest(register([`Authorization: ${answer(challengeFor(issuer, 'SHA-256'), { password: 'wrong' })}`]), options)).toEqual({ ok: false, reason: 'bad-response' });
    expect(verifyDigest(register([`Authorization: ${answer(challengeFor(issuer, 'SHA-256'), { username: '1002', password: USERS['1001'] })}`]), options)).toEqual({ ok: false, reason: 'bad-response' });
  });

  it('binds the method: credentials computed for INVITE do not pass on a REGISTER', () => {
    const { issuer, options } = setup();
    const creds = answer(challengeFor(issuer, 'MD5'), { method: 'INVITE' });
    expect(verifyDigest(register([`Authorization: ${creds}`]), options)).toEqual({ ok: false, reason: 'bad-response' });
  });

  it('says unsupported-algorithm for MD5-sess, SHA-512-256, and MD5 when only SHA-256 is accepted', () => {
    const { issuer, options } = setup();
    const creds = answer(challengeFor(issuer, 'MD5'));
    for (const alg of ['MD5-sess', 'SHA-512-256', 'AKAv1-MD5']) {
      expect(verifyDigest(register([`Authorization: ${creds.replace('algorithm=MD5', `algorithm=${alg}`)}`]), options)).toEqual({ ok: false, reason: 'unsupported-algorithm' });
    }
    expect(verifyDigest(register([`Authorization: ${creds}`]), { ...options, algorithms: ['SHA-256'] })).toEqual({ ok: false, reason: 'unsupported-algorithm' });
  });

  it('says uri-mismatch when the digest uri is not the Request-URI, and accepts an equivalent spelling (RFC 3261 §19.1.4)', () => {
    const { issuer, options } = setup();
    const other = answer(challengeFor(issuer, 'SHA-256'), { uri: 'sip:other.example.com' });
    expect(verifyDigest(register([`Authorization: ${other}`]), options)).toEqual({ ok: false, reason: 'uri-mismatch' });
    const withPort = answer(challengeFor(issuer, 'SHA-256'), { uri: 'sip:pbx.example.com:5060' });
    expect(verifyDigest(register([`Authorization: ${withPort}`]), options)).toEqual({ ok: false, reason: 'uri-mismatch' }); // an explicit port is a different URI
    const upper = answer(challengeFor(issuer, 'SHA-256'), { uri: 'sip:PBX.example.COM' });
    expect(verifyDigest(register([`Authorization: ${upper}`]), options)).toMatchObject({ ok: true });
  });

  it.each([
    ['Authorization: Digest', 'no parameters'],
    ['Authorization: Digest realm="pbx.example.com"', 'only a realm'],
    ['Authorization: Digest realm="open', 'unterminated quote'],
    ['Authorization: Digest username="1001" realm="pbx.example.com"', 'no comma'],
    ['Authorization: Digest dG9rZW42OA==', 'token68 Digest'],
  ])('says malformed for %j (%s)', (header) => {
    const { options } = setup();
    expect(verifyDigest(register([header]), options)).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['qop', (s: string) => s.replace(/, qop=auth/, '')],
    ['qop=auth-int', (s: string) => s.replace('qop=auth', 'qop=auth-int')],
    ['nc', (s: string) => s.replace(/, nc=\w+/, '')],
    ['nc of 7 digits', (s: string) => s.replace('nc=00000001', 'nc=0000001')],
    ['nc=00000000', (s: string) => s.replace('nc=00000001', 'nc=00000000')],
    ['nc not hex', (s: string) => s.replace('nc=00000001', 'nc=0000000g')],
    ['cnonce', (s: string) => s.replace(/, cnonce="\w+"/, '')],
    ['username', (s: string) => s.replace(/username="\w+", /, '')],
    ['empty username', (s: string) => s.replace(/username="\w+"/, 'username=""')],
    ['nonce', (s: string) => s.replace(/nonce="[^"]+", /, '')],
    ['uri', (s: string) => s.replace(/uri="[^"]+", /, '')],
    ['response', (s: string) => s.replace(/response="\w+", /, '')],
    ['short response', (s: string) => s.replace(/response="(\w+)"/, 'response="$1"'.replace('$1', 'abc'))],
    ['non-hex response', (s: string) => s.replace(/response="\w{32}"/, `response="${'z'.repeat(32)}"`)],
    ['realm', (s: string) => s.replace(/realm="[^"]+", /, '')],
  ])('says malformed when %s is missing or ill-formed', (_what, change) => {
    const { issuer, options } = setup();
    const creds = answer(challengeFor(issuer, 'MD5'));
    const broken = change(creds);
    expect(broken).not.toBe(creds);
    expect(verifyDigest(register([`Authorization: ${broken}`]), options)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts an upper-case response and HA1 (hex case does not matter)', () => {
    const { issuer, options } = setup();
    const creds = answer(challengeFor(issuer, 'SHA-256'));
    const upper = creds.replace(/response="(\w+)"/, (_m, hex: string) => `response="${hex.toUpperCase()}"`);
    const lookupHa1 = (u: string, a: DigestAlgorithm) => computeHa1(a, u, REALM, USERS[u]).toUpperCase();
    expect(verifyDigest(register([`Authorization: ${upper}`]), { ...options, lookupHa1 })).toMatchObject({ ok: true });
  });

  it('uses the nonce of the answered challenge: a response over one nonce sent with another is bad-response', () => {
    const { issuer, options } = setup();
    const a = answer(challengeFor(issuer, 'MD5'));
    const b = challengeFor(issuer, 'MD5');
    const mixed = a.replace(nonceOf(a), parseAuthValues([b], 'WWW-Authenticate')[0].params.get('nonce') ?? '');
    expect(verifyDigest(register([`Authorization: ${mixed}`]), options)).toEqual({ ok: false, reason: 'bad-response' });
  });
});
