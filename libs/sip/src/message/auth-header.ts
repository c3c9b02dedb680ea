// WWW-Authenticate / Proxy-Authenticate challenges and Authorization / Proxy-Authorization
// credentials (RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1; RFC 7235 §2.1 token68).
// A comma both separates auth-params and, in one field, several challenges: a new
// challenge starts where a token is not followed by "=".

import { COMMA, DQUOTE, EQUAL, isWs } from './chars';
import { malformedValue, quote, readQuoted, readToken, skipWs, unquote } from './header-params';

export interface AuthValue {
  /** As written ("Digest"); compare case-insensitively. */
  readonly scheme: string;
  /** Lower-cased names; quoted values unquoted. */
  readonly params: ReadonlyMap<string, string>;
  /** The token68 form (`Basic dXNlcjpwYXNz`), when used instead of params. */
  readonly token68?: string;
}

export function parseAuthValues(fieldValues: readonly string[], what: string, out: AuthValue[] = []): AuthValue[] {
  for (const s of fieldValues) parseOneField(s, what, out);
  return out;
}

function parseOneField(s: string, what: string, out: AuthValue[]): void {
  const b = s.length;
  let i = skipWs(s, 0, b);
  if (i === b) throw malformedValue(what); // a challenge or credentials is never empty
  while (i < b) {
    const schemeEnd = readToken(s, i, b);
    if (schemeEnd === i) throw malformedValue(what);
    const scheme = s.slice(i, schemeEnd);
    i = skipWs(s, schemeEnd, b);
    const params = new Map<string, string>();
    if (i >= b) {
      out.push({ scheme, params });
      return;
    }
    if (i === schemeEnd) throw malformedValue(what); // LWS between scheme and params
    if (!startsParam(s, i, b)) {
      // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
      let j = i;
      while (j < b && s.charCodeAt(j) !== COMMA && !isWs(s.charCodeAt(j))) j++;
      out.push({ scheme, params, token68: s.slice(i, j) });
      i = skipWs(s, j, b);
      if (i < b) {
        if (s.charCodeAt(i) !== COMMA) throw malformedValue(what);
        i = skipWs(s, i + 1, b);
      }
      continue;
    }
    for (;;) {
      const nameEnd = readToken(s, i, b);
      const name = s.slice(i, nameEnd).toLowerCase();
      let j = skipWs(s, skipWs(s, nameEnd, b) + 1, b); // past "="
      let value: string;
      if (s.charCodeAt(j) === DQUOTE) {
        const q = readQuoted(s, j, b);
        if (q < 0) throw malformedValue(what);
        value = unquote(s.slice(j, q));
        j = q;
      } else {
        const start = j;
        while (j < b && s.charCodeAt(j) !== COMMA && !isWs(s.charCodeAt(j))) j++;
        if (j === start) throw malformedValue(what);
        value = s.slice(start, j);
      }
      params.set(name, value);
      i = skipWs(s, j, b);
      if (i >= b) break;
      if (s.charCodeAt(i) !== COMMA) throw malformedValue(what);
      i = skipWs(s, i + 1, b);
      if (i >= b) break; // tolerate a trailing comma
      if (!startsParam(s, i, b)) break; // next challenge
    }
    out.push({ scheme, params });
  }
}

/** Does s[i..] start with `token SWS "="`? */
function startsParam(s: string, i: number, b: number): boolean {
  const t = readToken(s, i, b);
  if (t === i) return false;
  const k = skipWs(s, t, b);
  if (k >= b || s.charCodeAt(k) !== EQUAL) return false;
  // "abc=" then end or comma is token68 padding, not a parameter
  const after = skipWs(s, k + 1, b);
  return after < b && s.charCodeAt(after) !== COMMA && s.charCodeAt(after) !== EQUAL;
}

/** Parameters written as tokens, not quoted-strings (RFC 3261 §25.1 dig-resp, digest-cln). */
const TOKEN_PARAMS = new Set(['algorithm', 'nc', 'stale']);

/**
 * Writes a challenge or credentials. In credentials qop is a token (`qop=auth`), in a
 * challenge a quoted list (`qop="auth,auth-int"`), RFC 3261 §25.1.
 */
export function formatAuthValue(value: AuthValue, kind: 'challenge' | 'credentials'): string {
  if (value.token68 !== undefined) return value.scheme + ' ' + value.token68;
  const parts: string[] = [];
  for (const [name, v] of value.params) {
    const bare = TOKEN_PARAMS.has(name) || (name === 'qop' && kind === 'credentials');
    parts.push(name + '=' + (bare ? v : quote(v)));
  }
  return parts.length === 0 ? value.scheme : value.scheme + ' ' + parts.join(', ');
}
