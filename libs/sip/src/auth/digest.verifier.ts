// Server side of SIP digest authentication (RFC 3261 §22.2–§22.3, RFC 7616, RFC 8760):
// challenges for 401/407 responses and the check of the credentials that answer them.

import { timingSafeEqual } from 'node:crypto';
import { AuthValue, formatAuthValue, parseAuthValues } from '../message/auth-header';
import { SipRequest } from '../message/message';
import { DIGEST_ALGORITHMS, DIGEST_HEX_LENGTH, DigestAlgorithm, digestAlgorithmOf, digestResponse } from './digest.hash';
import { NonceCountTracker } from './nonce-count.tracker';
import { NonceIssuer } from './nonce.issuer';
import { uriTextEquals } from './uri-equality';

export interface ChallengeOptions {
  /** The previous credentials carried a valid response for a nonce that is too old (RFC 7616 §3.3). */
  readonly stale?: boolean;
  /** Which algorithms to offer (default both); always written SHA-256 first. */
  readonly algorithms?: readonly DigestAlgorithm[];
}

/**
 * Values for WWW-Authenticate (401) or Proxy-Authenticate (407), one per algorithm, SHA-256
 * before MD5 (RFC 8760 §2.4: "in order of preference"), each with qop="auth", its own fresh
 * nonce, the issuer's opaque, and stale=true when asked. Put each value in its own header row.
 */
export function createChallenges(issuer: NonceIssuer, realm: string, options?: ChallengeOptions): string[] {
  const wanted = options?.algorithms ?? DIGEST_ALGORITHMS;
  const out: string[] = [];
  for (const algorithm of DIGEST_ALGORITHMS) {
    if (!wanted.includes(algorithm)) continue;
    const params = new Map<string, string>([
      ['realm', realm],
      ['nonce', issuer.issue(realm)],
      ['opaque', issuer.opaque],
      ['algorithm', algorithm],
      ['qop', 'auth'],
    ]);
    if (options?.stale === true) params.set('stale', 'true');
    out.push(formatAuthValue({ scheme: 'Digest', params }, 'challenge'));
  }
  if (out.length === 0) throw new RangeError('createChallenges: no supported algorithm asked for');
  return out;
}

export type DigestFailure = 'missing' | 'malformed' | 'wrong-realm' | 'unknown-user' | 'bad-response' | 'stale' | 'bad-nonce' | 'replay' | 'unsupported-algorithm' | 'uri-mismatch';

export type DigestVerdict = { ok: true; username: string; algorithm: DigestAlgorithm } | { ok: false; reason: DigestFailure };

export interface VerifyDigestOptions {
  /** Which header carries the credentials: Authorization after a 401 (default), Proxy-Authorization after a 407. */
  readonly header?: 'authorization' | 'proxy-authorization';
  readonly realm: string;
  readonly issuer: NonceIssuer;
  readonly nonceCounts: NonceCountTracker;
  /** The stored HA1 (hex) for that user and algorithm, or undefined when there is no such user. */
  lookupHa1(username: string, algorithm: DigestAlgorithm): string | undefined;
  /** Algorithms accepted (default both): to refuse MD5 answers, leave it out here and in createChallenges(). */
  readonly algorithms?: readonly DigestAlgorithm[];
}

const NC_RE = /^[0-9a-fA-F]{8}$/;
const HEX_RE = /^[0-9a-fA-F]+$/;

/**
 * Checks the Authorization (or Proxy-Authorization) credentials of a request. Never throws
 * on anything the request carries; `lookupHa1` errors propagate. In order:
 *
 * - no Digest credentials → 'missing'; unparseable header or missing/ill-formed parameters
 *   (username, realm, nonce, uri, response, qop=auth, nc, cnonce) → 'malformed';
 * - no credentials for our realm → 'wrong-realm'; algorithm other than MD5/SHA-256 (or not
 *   accepted) → 'unsupported-algorithm';
 * - nonce not issued by us for this realm → 'bad-nonce';
 * - `uri` not the Request-URI (RFC 3261 §22.4, compared per §19.1.4) → 'uri-mismatch';
 * - no HA1 for the user → 'unknown-user'; wrong response → 'bad-response';
 * - response right but nonce expired → 'stale' (re-challenge with stale=true: the client
 *   retries without asking for the password, RFC 7616 §3.3, which is why 'stale' is only
 *   said once the response is known good);
 * - nc not above the highest accepted for that nonce → 'replay' (recorded only for good
 *   responses, so nobody can burn counts without the password).
 *
 * Transaction-layer retransmissions carry the same nc and must be absorbed before this.
 */
export function verifyDigest(request: SipRequest, options: VerifyDigestOptions): DigestVerdict {
  const headerName = options.header === 'proxy-authorization' ? 'Proxy-Authorization' : 'Authorization';
  const rows = request.headers.getAll(headerName);
  if (rows.length === 0) return fail('missing');
  let values: AuthValue[];
  try {
    values = parseAuthValues(rows, headerName);
  } catch {
    return fail('malformed');
  }
  const digests = values.filter((v) => v.scheme.toLowerCase() === 'digest' && v.token68 === undefined);
  if (digests.length === 0) return values.some((v) => v.scheme.toLowerCase() === 'digest') ? fail('malformed') : fail('missing');
  const creds = digests.find((v) => v.params.get('realm') === options.realm);
  if (creds === undefined) return digests.some((v) => !v.params.has('realm')) ? fail('malformed') : fail('wrong-realm');

  const p = creds.params;
  const username = p.get('username');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  const qop = p.get('qop');
  const nc = p.get('nc');
  const cnonce = p.get('cnonce');
  if (username === undefined || username === '' || nonce === undefined || nonce === '' || uri === undefined || uri === '' || response === undefined) return fail('malformed');
  // We always offer qop="auth"; RFC 7616 §3.4 makes the client answer with it, nc and cnonce.
  if (qop === undefined || qop.toLowerCase() !== 'auth' || nc === undefined || !NC_RE.test(nc) || cnonce === undefined || cnonce === '') return fail('malformed');
  const count = parseInt(nc, 16);
  if (count === 0) return fail('malformed'); // nc counts from 1

  const algorithm = digestAlgorithmOf(p.get('algorithm'));
  if (algorithm === undefined || !(options.algorithms ?? DIGEST_ALGORITHMS).includes(algorithm)) return fail('unsupported-algorithm');
  if (response.length !== DIGEST_HEX_LENGTH[algorithm] || !HEX_RE.test(response)) return fail('malformed');

  const nonceState = options.issuer.check(nonce, options.realm);
  if (nonceState.status === 'invalid') return fail('bad-nonce');
  if (!uriTextEquals(uri, request.uriText)) return fail('uri-mismatch');

  const ha1 = options.lookupHa1(username, algorithm);
  if (ha1 === undefined) return fail('unknown-user');
  const expected = digestResponse({ algorithm, ha1: ha1.toLowerCase(), method: request.method, uri, nonce, qop: 'auth', nc, cnonce });
  // constant-time: both are hex strings of the algorithm's length here
  if (!timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(response.toLowerCase(), 'latin1'))) return fail('bad-response');

  if (nonceState.status === 'stale') return fail('stale');
  switch (options.nonceCounts.observe(nonce, count, nonceState.issuedAt)) {
    case 'replay':
      return fail('replay');
    case 'forgotten':
      return fail('stale');
    case 'ok':
      return { ok: true, username, algorithm };
  }
}

function fail(reason: DigestFailure): DigestVerdict {
  return { ok: false, reason };
}
