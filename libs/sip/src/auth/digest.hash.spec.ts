import { answerChallenge } from './digest.client';
import { computeHa1, digestAlgorithmOf, digestResponse, formatDigestSecret, ha1FromSecret, parseDigestSecret } from './digest.hash';
import { parseAuthValues } from '../message/auth-header';

function param(credentials: string, name: string): string | undefined {
  return parseAuthValues([credentials], 'Authorization')[0].params.get(name);
}

describe('digest computations (RFC 7616 §3.4, RFC 2617 §3.2.2)', () => {
  it('RFC 2617 §3.5 example: MD5, qop=auth', () => {
    // The example of RFC 2617 §3.5 (user Mufasa, password "Circle Of Life", GET /dir/index.html).
    const ha1 = computeHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const response = digestResponse({ algorithm: 'MD5', ha1, method: 'GET', uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: 'auth', nc: '00000001', cnonce: '0a4f113b' });
    expect(response).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('RFC 2617 §3.5 example through answerChallenge(): auth is chosen over auth-int, opaque returned', () => {
    const challenge = 'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
    const answer = answerChallenge(challenge, { method: 'GET', uri: '/dir/index.html', username: 'Mufasa', password: 'Circle Of Life', nc: 1, cnonce: '0a4f113b' });
    expect(param(answer, 'response')).toBe('6629fae49393a05397450978507c4ef1');
    expect(param(answer, 'qop')).toBe('auth');
    expect(param(answer, 'nc')).toBe('00000001');
    expect(param(answer, 'opaque')).toBe('5ccc069c403ebaf9f0171e9517f40e41');
    expect(param(answer, 'algorithm')).toBe('MD5'); // absent in the challenge means MD5
  });

  it.each([
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
  ] as const)('RFC 7616 §3.9.1 example with %s', (algorithm, expected) => {
    // Inputs of RFC 7616 §3.9.1 (user Mufasa, password "Circle of Life", realm http-auth@example.org).
    const challenge = `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
    const answer = answerChallenge(challenge, {
      method: 'GET',
      uri: '/dir/index.html',
      username: 'Mufasa',
      password: 'Circle of Life',
      nc: 1,
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    });
    expect(param(answer, 'response')).toBe(expected);
    expect(param(answer, 'algorithm')).toBe(algorithm);
  });

  it('HA1 of SHA-256 is 64 hex digits, of MD5 32, and UTF-8 names hash as UTF-8 (RFC 7616 §4)', () => {
    expect(computeHa1('SHA-256', 'u', 'r', 'p')).toMatch(/^[0-9a-f]{64}$/);
    expect(computeHa1('MD5', 'u', 'r', 'p')).toMatch(/^[0-9a-f]{32}$/);
    expect(computeHa1('MD5', 'é', 'r', 'p')).toBe(computeHa1('MD5', 'é', 'r', 'p'));
    expect(computeHa1('MD5', 'é', 'r', 'p')).not.toBe(computeHa1('MD5', 'e', 'r', 'p'));
  });

  it('refuses an unknown algorithm at run time instead of hashing with something else', () => {
    expect(() => computeHa1('SHA-512' as 'MD5', 'u', 'r', 'p')).toThrow(TypeError);
  });

  it('reads the algorithm parameter case-insensitively; absent means MD5; -sess variants are not ours', () => {
    expect(digestAlgorithmOf(undefined)).toBe('MD5');
    expect(digestAlgorithmOf('sha-256')).toBe('SHA-256');
    expect(digestAlgorithmOf('md5')).toBe('MD5');
    expect(digestAlgorithmOf('MD5-sess')).toBeUndefined();
    expect(digestAlgorithmOf('SHA-512-256')).toBeUndefined();
  });
});

describe('stored secret: HA1 for both algorithms, no clear text', () => {
  it('formats and parses back both HA1 values', () => {
    const stored = formatDigestSecret('1001', 'pbx.example.com', 's3cret');
    expect(stored).toMatch(/^digest-ha1:md5=[0-9a-f]{32};sha-256=[0-9a-f]{64}$/);
    expect(stored).not.toContain('s3cret');
    const parsed = parseDigestSecret(stored);
    expect(parsed).toEqual({ md5: computeHa1('MD5', '1001', 'pbx.example.com', 's3cret'), sha256: computeHa1('SHA-256', '1001', 'pbx.example.com', 's3cret') });
    expect(parsed && ha1FromSecret(parsed, 'SHA-256')).toBe(parsed?.sha256);
    expect(parsed && ha1FromSecret(parsed, 'MD5')).toBe(parsed?.md5);
  });

  it('accepts the two parts in either order and upper-case hex, lower-casing it', () => {
    const md5 = 'A'.repeat(32);
    const sha = 'b'.repeat(64);
    expect(parseDigestSecret(`digest-ha1:sha-256=${sha};md5=${md5}`)).toEqual({ md5: 'a'.repeat(32), sha256: sha });
  });

  it.each([
    '',
    's3cret',
    'digest-ha1:',
    `digest-ha1:md5=${'a'.repeat(32)}`,
    `digest-ha1:md5=${'a'.repeat(31)};sha-256=${'b'.repeat(64)}`,
    `digest-ha1:md5=${'g'.repeat(32)};sha-256=${'b'.repeat(64)}`,
    `digest-ha1:md5=${'a'.repeat(32)};sha-256=${'b'.repeat(64)};x=1`,
    `plain:md5=${'a'.repeat(32)};sha-256=${'b'.repeat(64)}`,
  ])('refuses %j', (stored) => {
    expect(parseDigestSecret(stored)).toBeUndefined();
  });
});
