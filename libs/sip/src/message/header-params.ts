// generic-param lists of header values (RFC 3261 §25.1): `*( SEMI generic-param )` where
// SEMI and EQUAL allow whitespace around them and gen-value = token / host / quoted-string.

import { BACKSLASH, C_TOKEN, CHARS, DQUOTE, EQUAL, isWs, LBRACKET, SEMI } from './chars';
import { SipParseError } from './parse-error';

/** Lower-cased name → value as written (a quoted-string keeps its quotes), null for a flag. */
export type HeaderParams = ReadonlyMap<string, string | null>;

export const EMPTY_HEADER_PARAMS: HeaderParams = new Map<string, string | null>();

/** Index after the token starting at i (i itself when there is none). */
export function readToken(s: string, i: number, b: number): number {
  while (i < b) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || (CHARS[c] & C_TOKEN) === 0) break;
    i++;
  }
  return i;
}

/**
 * With s[i] the opening DQUOTE, the index after the closing one, or -1 when unterminated.
 * quoted-pair = "\" followed by any character but CR/LF (RFC 3261 §25.1).
 */
export function readQuoted(s: string, i: number, b: number): number {
  for (i++; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === DQUOTE) return i + 1;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

/** Contents of a quoted-string (with its quotes) with quoted-pairs resolved. */
export function unquote(value: string): string {
  if (value.length < 2 || value.charCodeAt(0) !== DQUOTE || value.charCodeAt(value.length - 1) !== DQUOTE) return value;
  const inner = value.slice(1, -1);
  return inner.indexOf('\\') < 0 ? inner : inner.replace(/\\(.)/gs, '$1');
}

/** A quoted-string for any text: DQUOTE and backslash escaped (RFC 3261 §25.1). */
export function quote(text: string): string {
  return '"' + text.replace(/["\\]/g, '\\$&') + '"';
}

export function skipWs(s: string, i: number, b: number): number {
  while (i < b && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Out-parameters of readParam(), to avoid an allocation per parameter. @internal */
export const PARAM: { name: string; value: string | null } = { name: '', value: null };

/**
 * With s[i] at the first character after a ";" (whitespace allowed), reads one
 * generic-param into PARAM and returns the index after it, whitespace skipped.
 * gen-value = token / host / quoted-string; a quoted-string keeps its quotes.
 * @internal
 */
export function readParam(s: string, i: number, b: number, what: string): number {
  i = skipWs(s, i, b);
  const nameEnd = readToken(s, i, b);
  if (nameEnd === i) throw malformedValue(what);
  PARAM.name = paramName(s, i, nameEnd);
  let j = skipWs(s, nameEnd, b);
  if (j >= b || s.charCodeAt(j) !== EQUAL) {
    PARAM.value = null;
    return j;
  }
  j = skipWs(s, j + 1, b);
  const c = s.charCodeAt(j);
  let end: number;
  if (c === DQUOTE) {
    end = readQuoted(s, j, b);
    if (end < 0) throw malformedValue(what);
  } else if (c === LBRACKET) {
    end = s.indexOf(']', j);
    if (end < 0 || end >= b) throw malformedValue(what);
    end++;
  } else {
    // token, or host: a hostname or IPv4 address is made of token characters. A bare
    // IPv6 address is accepted too (":" allowed), as Via's received= carries one
    // (RFC 3261 §20.42 via-received = IPv6address, without brackets).
    end = j;
    while (end < b) {
      const v = s.charCodeAt(end);
      if (v !== 0x3a && (v > 0x7f || (CHARS[v] & C_TOKEN) === 0)) break;
      end++;
    }
    if (end === j) throw malformedValue(what);
  }
  PARAM.value = s.slice(j, end);
  return skipWs(s, end, b);
}

/**
 * Reads `*( SEMI generic-param )` from i into `into`; returns the index of the first
 * character after the list (whitespace skipped). Throws SipParseError naming `what`.
 */
export function readGenericParams(s: string, i: number, b: number, into: Map<string, string | null>, what: string): number {
  i = skipWs(s, i, b);
  while (i < b && s.charCodeAt(i) === SEMI) {
    i = readParam(s, i + 1, b, what);
    into.set(PARAM.name, PARAM.value);
  }
  return i;
}

/**
 * Does s hold `lit` at index a? A charCodeAt loop: String.prototype.startsWith with a
 * position costs several times more on V8 for strings this short.
 * @internal
 */
export function eqAt(s: string, a: number, lit: string): boolean {
  for (let k = 0; k < lit.length; k++) if (s.charCodeAt(a + k) !== lit.charCodeAt(k)) return false;
  return true;
}

/**
 * Lower-cased parameter name; the common ones come back as constants, without a slice.
 * @internal
 */
export function paramName(s: string, a: number, b: number): string {
  switch (b - a) {
    case 1:
      if (s.charCodeAt(a) === 0x71) return 'q';
      break;
    case 2:
      if (eqAt(s, a, 'lr')) return 'lr';
      break;
    case 3:
      if (eqAt(s, a, 'tag')) return 'tag';
      if (eqAt(s, a, 'ttl')) return 'ttl';
      break;
    case 5:
      if (eqAt(s, a, 'rport')) return 'rport';
      if (eqAt(s, a, 'maddr')) return 'maddr';
      break;
    case 6:
      if (eqAt(s, a, 'branch')) return 'branch';
      break;
    case 7:
      if (eqAt(s, a, 'expires')) return 'expires';
      break;
    case 8:
      if (eqAt(s, a, 'received')) return 'received';
      break;
    case 9:
      if (eqAt(s, a, 'transport')) return 'transport';
      break;
  }
  return s.slice(a, b).toLowerCase();
}

export function formatHeaderParams(params: HeaderParams): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? ';' + name : ';' + name + '=' + value;
  return out;
}

/** "Bad Request - malformed <Header> header", the most common reason phrase. */
export function malformedValue(what: string): SipParseError {
  return new SipParseError(400, `Bad Request - malformed ${what} header`);
}
