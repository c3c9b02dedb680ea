import { createHmac } from 'node:crypto';
import { signJwt, verifyJwt } from './jwt';

const secret = 'a-test-secret-that-is-32-chars-long!';
const now = 1_750_000_000;
const claims = { sub: 'sv1', role: 'supervisor' as const, grants: { callCenters: ['5001'], numbers: ['0312345678'] } };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const hs256 = (input: string, key = secret) => createHmac('sha256', key).update(input).digest('base64url');

describe('JWT HS256', () => {
  it('issues a token whose claims verify back, with iss, iat and exp set', () => {
    const t = signJwt(claims, secret, now, 3600);
    const v = verifyJwt(t, secret, now + 10);
    expect(v).toEqual({ ok: true, claims: { ...claims, iss: 'pbx-api-gateway', iat: now, exp: now + 3600 } });
  });

  it('is interoperable: header is {alg: HS256, typ: JWT} and the signature is HMAC-SHA256 over header.payload (RFC 7515 §A.1)', () => {
    const [h, p, s] = signJwt(claims, secret, now, 60).split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(s).toBe(hs256(`${h}.${p}`));
  });

  it('refuses an expired token (exp is exclusive)', () => {
    const t = signJwt(claims, secret, now, 60);
    expect(verifyJwt(t, secret, now + 59).ok).toBe(true);
    expect(verifyJwt(t, secret, now + 60)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token issued in the future beyond the clock skew', () => {
    const t = signJwt(claims, secret, now + 120, 600);
    expect(verifyJwt(t, secret, now)).toEqual({ ok: false, reason: 'not-yet-valid' });
    expect(verifyJwt(signJwt(claims, secret, now + 10, 600), secret, now).ok).toBe(true);
  });

  it('refuses a token signed with another secret, or with a changed payload', () => {
    expect(verifyJwt(signJwt(claims, 'another-secret-that-is-32-chars-long', now, 60), secret, now)).toEqual({ ok: false, reason: 'signature' });
    const [h, , s] = signJwt(claims, secret, now, 60).split('.');
    const forged = b64({ ...claims, role: 'system-admin', iss: 'pbx-api-gateway', iat: now, exp: now + 60 });
    expect(verifyJwt(`${h}.${forged}.${s}`, secret, now)).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses alg "none" and any other algorithm before looking at the signature', () => {
    const payload = b64({ ...claims, iss: 'pbx-api-gateway', iat: now, exp: now + 60 });
    expect(verifyJwt(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.x`, secret, now)).toEqual({ ok: false, reason: 'algorithm' });
    const rs = b64({ alg: 'RS256', typ: 'JWT' });
    expect(verifyJwt(`${rs}.${payload}.${hs256(`${rs}.${payload}`)}`, secret, now)).toEqual({ ok: false, reason: 'algorithm' });
    const withKid = b64({ alg: 'HS256', typ: 'JWT', kid: '../../etc/passwd' });
    expect(verifyJwt(`${withKid}.${payload}.${hs256(`${withKid}.${payload}`)}`, secret, now)).toEqual({ ok: false, reason: 'algorithm' });
  });

  it('refuses a correctly signed token whose claims are not ours', () => {
    const h = b64({ alg: 'HS256', typ: 'JWT' });
    for (const payload of [
      { ...claims, iat: now, exp: now + 60 }, // no iss
      { ...claims, iss: 'someone-else', iat: now, exp: now + 60 },
      { ...claims, role: 'root', iss: 'pbx-api-gateway', iat: now, exp: now + 60 },
      { ...claims, iss: 'pbx-api-gateway', iat: now, exp: 'later' },
      { ...claims, iss: 'pbx-api-gateway', iat: now, exp: now + 60, admin: true },
    ]) {
      const p = b64(payload);
      expect(verifyJwt(`${h}.${p}.${hs256(`${h}.${p}`)}`, secret, now)).toEqual({ ok: false, reason: 'claims' });
    }
  });

  it('answers "malformed", never throws, for odd input', () => {
    for (const t of ['', 'abc', 'a.b', 'a.b.c.d', '..', 'a.b.c', '€.€.€', `${'a'.repeat(9000)}.b.c`, 'eyJhbGciOiJIUzI1NiJ9.not json.sig', `${b64('x')}.${b64('y')}.z`]) {
      const v = verifyJwt(t, secret, now);
      expect(v.ok).toBe(false);
    }
    expect(verifyJwt('a.b', secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });
});
