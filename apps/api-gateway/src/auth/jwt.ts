import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

// JSON Web Tokens, HS256 only (RFC 7519, RFC 7515 §A.1), with node:crypto. Only what the
// gateway issues is accepted: a token that names another algorithm ("none", RS256, …) is
// refused before its signature is even looked at (the classic algorithm-confusion hole).

export const JWT_ISSUER = 'pbx-api-gateway';

export const jwtClaimsSchema = z
  .object({
    /** The account's login. */
    sub: z.string().min(1).max(64),
    role: z.enum(['system-admin', 'supervisor', 'user']),
    grants: z.object({ callCenters: z.array(z.string()), numbers: z.array(z.string()) }),
    iss: z.literal(JWT_ISSUER),
    iat: z.number().int().nonnegative(),
    exp: z.number().int().positive(),
  })
  .strict();
export type JwtClaims = z.infer<typeof jwtClaimsSchema>;

export type JwtFailure = 'malformed' | 'algorithm' | 'signature' | 'claims' | 'expired' | 'not-yet-valid';
export type JwtVerification = { ok: true; claims: JwtClaims } | { ok: false; reason: JwtFailure };

const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
const encodedHeader = b64url(Buffer.from(JSON.stringify(HEADER)));
const segment = /^[A-Za-z0-9_-]+$/;
/** A token is a few hundred bytes; anything huge is not ours and is not parsed. */
const MAX_TOKEN_LENGTH = 8192;
/** Clock skew tolerated between replicas for `iat`. */
const SKEW_SECONDS = 30;

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

function sign(secret: string, signingInput: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest();
}

/** Issues a token for `claims` (without iss/iat/exp, which this sets) valid `ttlSeconds` from `nowSeconds`. */
export function signJwt(claims: Omit<JwtClaims, 'iss' | 'iat' | 'exp'>, secret: string, nowSeconds: number, ttlSeconds: number): string {
  const payload: JwtClaims = { ...claims, iss: JWT_ISSUER, iat: nowSeconds, exp: nowSeconds + ttlSeconds };
  const input = `${encodedHeader}.${b64url(Buffer.from(JSON.stringify(payload)))}`;
  return `${input}.${b64url(sign(secret, input))}`;
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Checks shape, algorithm, signature (constant-time), claims and lifetime; says which failed (for logs, never for the client). */
export function verifyJwt(token: string, secret: string, nowSeconds: number): JwtVerification {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => segment.test(p))) return { ok: false, reason: 'malformed' };
  const [h, p, s] = parts;
  const header = decodeJson(h);
  if (typeof header !== 'object' || header === null) return { ok: false, reason: 'malformed' };
  const { alg, typ, ...rest } = header as Record<string, unknown>;
  if (alg !== 'HS256' || (typ !== undefined && typ !== 'JWT') || Object.keys(rest).length > 0) return { ok: false, reason: 'algorithm' };
  const expected = sign(secret, `${h}.${p}`);
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
  const claims = jwtClaimsSchema.safeParse(decodeJson(p));
  if (!claims.success) return { ok: false, reason: 'claims' };
  if (claims.data.exp <= nowSeconds) return { ok: false, reason: 'expired' };
  if (claims.data.iat > nowSeconds + SKEW_SECONDS) return { ok: false, reason: 'not-yet-valid' };
  return { ok: true, claims: claims.data };
}
