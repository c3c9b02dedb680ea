// Client side of SIP digest authentication (RFC 3261 §22.2, RFC 7616 §3.4): the credentials
// answering a challenge. Used by tests, and towards trunks that challenge us.

import { randomBytes } from 'node:crypto';
import { AuthValue, formatAuthValue, parseAuthValues } from '../message/auth-header';
import { computeHa1, DigestAlgorithm, digestAlgorithmOf, digestResponse } from './digest.hash';

export type DigestErrorCode = 'DIGEST.MALFORMED_CHALLENGE' | 'DIGEST.UNSUPPORTED_CHALLENGE' | 'DIGEST.BAD_ARGUMENT';

/** A challenge we cannot answer, or arguments we cannot use. */
export class DigestError extends Error {
  constructor(
    readonly code: DigestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DigestError';
  }
}

export interface AnswerOptions {
  readonly method: string;
  /** The Request-URI of the request being authorized, as it will be written. */
  readonly uri: string;
  readonly username: string;
  readonly password: string;
  /** Nonce count, 1 for the first request with this nonce (default 1). */
  readonly nc?: number;
  /** Default: 16 random hex digits. */
  readonly cnonce?: string;
  /** Only used when the challenge offers qop=auth-int and not auth. */
  readonly body?: Buffer;
}

/**
 * The Authorization / Proxy-Authorization value answering `challenge`, a WWW-Authenticate or
 * Proxy-Authenticate value. When it holds several challenges, the first Digest one with an
 * algorithm we support wins (RFC 8760 §2.4: servers list their preferred first). qop "auth"
 * is chosen over "auth-int"; without qop the RFC 2069 form is sent (old trunks).
 * Throws DigestError when no challenge can be answered.
 */
export function answerChallenge(challenge: string, options: AnswerOptions): string {
  let values: AuthValue[];
  try {
    values = parseAuthValues([challenge], 'WWW-Authenticate');
  } catch {
    throw new DigestError('DIGEST.MALFORMED_CHALLENGE', 'the challenge is not a WWW-Authenticate / Proxy-Authenticate value');
  }
  let chosen: { value: AuthValue; algorithm: DigestAlgorithm } | undefined;
  for (const value of values) {
    if (value.scheme.toLowerCase() !== 'digest' || value.token68 !== undefined) continue;
    const algorithm = digestAlgorithmOf(value.params.get('algorithm'));
    if (algorithm !== undefined) {
      chosen = { value, algorithm };
      break;
    }
  }
  if (chosen === undefined) throw new DigestError('DIGEST.UNSUPPORTED_CHALLENGE', 'no Digest challenge with algorithm MD5 or SHA-256');
  const { value, algorithm } = chosen;
  const realm = value.params.get('realm');
  const nonce = value.params.get('nonce');
  if (realm === undefined || nonce === undefined) throw new DigestError('DIGEST.MALFORMED_CHALLENGE', 'Digest challenge without realm or nonce');

  // qop-options is a quoted comma list (RFC 7616 §3.3)
  const offered = (value.params.get('qop') ?? '')
    .split(',')
    .map((q) => q.trim().toLowerCase())
    .filter((q) => q !== '');
  let qop: 'auth' | 'auth-int' | undefined;
  if (offered.includes('auth')) qop = 'auth';
  else if (offered.includes('auth-int')) qop = 'auth-int';
  else if (offered.length > 0) throw new DigestError('DIGEST.UNSUPPORTED_CHALLENGE', `unsupported qop ${JSON.stringify(value.params.get('qop'))}`);

  const n = options.nc ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new DigestError('DIGEST.BAD_ARGUMENT', `nc must be an integer in 1..2^32-1, got ${n}`);
  const nc = n.toString(16).padStart(8, '0');
  const cnonce = options.cnonce ?? randomBytes(8).toString('hex');
  if (cnonce === '') throw new DigestError('DIGEST.BAD_ARGUMENT', 'empty cnonce');

  const ha1 = computeHa1(algorithm, options.username, realm, options.password);
  const response = digestResponse({ algorithm, ha1, method: options.method, uri: options.uri, nonce, qop, nc, cnonce, body: options.body });

  const params = new Map<string, string>([
    ['username', options.username],
    ['realm', realm],
    ['nonce', nonce],
    ['uri', options.uri],
    ['response', response],
    ['algorithm', algorithm],
  ]);
  const opaque = value.params.get('opaque');
  if (opaque !== undefined) params.set('opaque', opaque); // returned unchanged (RFC 7616 §3.4)
  if (qop !== undefined) {
    params.set('qop', qop);
    params.set('nc', nc);
    params.set('cnonce', cnonce);
  }
  return formatAuthValue({ scheme: 'Digest', params }, 'credentials');
}
