import { SipParseError, SipRequest } from '@pbx/sip';

// Checks every request passes before anything acts on it (SPEC B-1, RFC 3261 §8.2.1–§8.2.2).
// Pure: the verdict names the status, the reason phrase and any header the answer must carry.

/** What sip-edge implements. Anything else is 501 Not Implemented (§8.2.1). */
export const IMPLEMENTED_METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'INFO'] as const;
const IMPLEMENTED = new Set<string>(IMPLEMENTED_METHODS);

/** Option tags we honour in Require / Proxy-Require (§8.2.2.3). None yet. */
export const SUPPORTED_OPTION_TAGS: readonly string[] = [];
const SUPPORTED = new Set(SUPPORTED_OPTION_TAGS);

export type GuardVerdict = { ok: true } | { ok: false; status: number; reason: string; headers?: Record<string, string> };

const OK: GuardVerdict = { ok: true };

export function guardRequest(request: SipRequest): GuardVerdict {
  const method = request.method;
  if (!IMPLEMENTED.has(method)) return { ok: false, status: 501, reason: 'Not Implemented', headers: { Allow: IMPLEMENTED_METHODS.join(', ') } };
  if (method === 'ACK') return OK; // never answered (§17.1.1.3)
  try {
    const uri = request.uri;
    if (uri.kind !== 'sip') return { ok: false, status: 416, reason: 'Unsupported URI Scheme' };
    if (method !== 'OPTIONS' && method !== 'CANCEL' && request.maxForwards() === 0) return { ok: false, status: 483, reason: 'Too Many Hops' };
    if (method !== 'CANCEL') {
      const unsupported = [...request.require(), ...request.proxyRequire()].filter((tag) => !SUPPORTED.has(tag.toLowerCase()));
      if (unsupported.length > 0) return { ok: false, status: 420, reason: 'Bad Extension', headers: { Unsupported: unsupported.join(', ') } };
    }
    if (method === 'INVITE' || method === 'REGISTER') request.contact();
    if (request.cseq().method !== method) return { ok: false, status: 400, reason: 'Bad Request - CSeq method does not match the request method' };
    if (method === 'INVITE' && request.body.length > 0) {
      const ct = request.contentType();
      if (ct === undefined) return { ok: false, status: 400, reason: 'Bad Request - body without Content-Type' };
      if (`${ct.type}/${ct.subtype}`.toLowerCase() !== 'application/sdp') return { ok: false, status: 415, reason: 'Unsupported Media Type', headers: { Accept: 'application/sdp' } };
    }
  } catch (e) {
    if (e instanceof SipParseError) return { ok: false, status: e.status, reason: e.reason };
    throw e;
  }
  return OK;
}
