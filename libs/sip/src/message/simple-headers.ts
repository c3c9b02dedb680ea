// Small header values: CSeq, Call-ID, Max-Forwards, Content-Length, Expires, Content-Type
// and token lists (Require, Supported, Allow, ...).

import { C_TOKEN, C_WORD, CHARS, isWs, SLASH } from './chars';
import { EMPTY_HEADER_PARAMS, HeaderParams, malformedValue, readGenericParams, readToken, skipWs } from './header-params';
import { splitList } from './split';

export interface CSeq {
  readonly seq: number;
  /** Case-sensitive (RFC 3261 §7.1). */
  readonly method: string;
}

/** CSeq = 1*DIGIT LWS Method; the number stays below 2**31 (RFC 3261 §8.1.1.5, §20.16). */
export function parseCSeq(s: string): CSeq {
  const b = s.length;
  let i = 0;
  let seq = 0;
  while (i < b) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    seq = seq * 10 + (c - 0x30);
    if (seq > 0x7fffffff) throw malformedValue('CSeq');
    i++;
  }
  if (i === 0) throw malformedValue('CSeq');
  const m = skipWs(s, i, b);
  if (m === i) throw malformedValue('CSeq');
  const end = readToken(s, m, b);
  if (end === m || end !== b) throw malformedValue('CSeq');
  return { seq, method: s.slice(m, end) };
}

/** callid = word [ "@" word ] (RFC 3261 §25.1): no whitespace, no comma, one "@" at most. */
export function validateCallId(s: string): void {
  const b = s.length;
  let at = -1;
  for (let i = 0; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x40) {
      if (at >= 0 || i === 0 || i === b - 1) throw malformedValue('Call-ID');
      at = i;
    } else if (c > 0x7f || (CHARS[c] & C_WORD) === 0) {
      throw malformedValue('Call-ID');
    }
  }
  if (b === 0) throw malformedValue('Call-ID');
}

/** 1*DIGIT with an upper bound; -1 when not that. */
export function parseBoundedInt(s: string, max: number): number {
  const b = s.length;
  if (b === 0 || b > 10) return -1;
  let v = 0;
  for (let i = 0; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v > max ? -1 : v;
}

/** Max-Forwards = 1*DIGIT, 0 to 255 (RFC 3261 §20.22). */
export function parseMaxForwards(s: string): number {
  const v = parseBoundedInt(s, 255);
  if (v < 0) throw malformedValue('Max-Forwards');
  return v;
}

/** Content-Length = 1*DIGIT (RFC 3261 §20.14); bounded so no number overflows. */
export function parseContentLength(s: string): number {
  const v = parseBoundedInt(s, 0x7fffffff);
  if (v < 0) throw malformedValue('Content-Length');
  return v;
}

const MAX_DELTA = 0xffffffff;

/**
 * delta-seconds = 1*DIGIT. "If a value larger than 2**32-1 is received, it is treated as
 * 2**32-1" (RFC 3261 §20.19 for Expires, and the same for the Contact expires parameter).
 */
export function parseDeltaSeconds(s: string, what: string): number {
  const b = s.length;
  if (b === 0) throw malformedValue(what);
  for (let i = 0; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) throw malformedValue(what);
  }
  if (b > 10) return MAX_DELTA;
  const v = Number(s);
  return v > MAX_DELTA ? MAX_DELTA : v;
}

export interface MediaType {
  /** Lower-cased ("application"). */
  readonly type: string;
  /** Lower-cased ("sdp"). */
  readonly subtype: string;
  readonly params: HeaderParams;
}

/** media-type = m-type SLASH m-subtype *(SEMI m-parameter) (RFC 3261 §20.15). */
export function parseMediaType(s: string): MediaType {
  const b = s.length;
  const a = skipWs(s, 0, b);
  const typeEnd = readToken(s, a, b);
  if (typeEnd === a) throw malformedValue('Content-Type');
  let i = skipWs(s, typeEnd, b);
  if (s.charCodeAt(i) !== SLASH) throw malformedValue('Content-Type');
  i = skipWs(s, i + 1, b);
  const subEnd = readToken(s, i, b);
  if (subEnd === i) throw malformedValue('Content-Type');
  const subtype = s.slice(i, subEnd).toLowerCase();
  let params = EMPTY_HEADER_PARAMS;
  i = skipWs(s, subEnd, b);
  if (i < b) {
    const m = new Map<string, string | null>();
    i = readGenericParams(s, i, b, m, 'Content-Type');
    if (i !== b) throw malformedValue('Content-Type');
    params = m;
  }
  return { type: s.slice(a, typeEnd).toLowerCase(), subtype, params };
}

export function formatMediaType(m: MediaType): string {
  let out = m.type + '/' + m.subtype;
  for (const [k, v] of m.params) out += v === null ? ';' + k : ';' + k + '=' + v;
  return out;
}

/** A comma list of tokens (Require, Supported, Allow, Unsupported, Proxy-Require). */
export function parseTokenList(values: readonly string[], what: string): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const t of splitList(v)) {
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c > 0x7f || (CHARS[c] & C_TOKEN) === 0 || isWs(c)) throw malformedValue(what);
      }
      out.push(t);
    }
  }
  return out;
}
