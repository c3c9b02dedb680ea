// name-addr / addr-spec values of From, To, Contact, Route, Record-Route, Reply-To,
// Refer-To... (RFC 3261 §20.10, §20.20, §20.39, §25.1).

import { C_TOKEN, CHARS, COMMA, DQUOTE, HT, isWs, LAQUOT, QUESTION, SEMI, SP } from './chars';
import { EMPTY_HEADER_PARAMS, formatHeaderParams, HeaderParams, malformedValue, quote, readGenericParams, readQuoted, skipWs } from './header-params';
import { formatUri, parseUriRange, Uri } from './sip-uri';

export interface NameAddr {
  /** Quotes removed and quoted-pairs resolved; undefined when there is none. */
  readonly displayName?: string;
  readonly uri: Uri;
  /** Header parameters (tag, expires, q, ...), values as written. */
  readonly params: HeaderParams;
  /** The `tag` parameter (RFC 3261 §19.3), if any. */
  readonly tag?: string;
}

/** Contact: * (RFC 3261 §20.10, only in a REGISTER with Expires: 0). */
export type ContactList = readonly NameAddr[] | '*';

let nextIndex = 0;

/**
 * Parses one name-addr or addr-spec starting at i. In a list (`inList`) an addr-spec also
 * ends at a comma. The index after it (params and trailing whitespace included) is left in
 * nextIndex. Throws SipParseError naming `what`.
 * @internal
 */
export function parseNameAddrAt(s: string, i: number, b: number, what: string, inList: boolean): NameAddr {
  i = skipWs(s, i, b);
  let displayName: string | undefined;
  let angle = false;
  const c0 = s.charCodeAt(i);
  if (c0 === DQUOTE) {
    // display-name = quoted-string
    const q = readQuoted(s, i, b);
    if (q < 0) throw malformedValue(what);
    displayName = unescapeQuoted(s, i + 1, q - 1);
    i = skipWs(s, q, b);
    if (s.charCodeAt(i) !== LAQUOT) throw malformedValue(what);
    angle = true;
  } else if (c0 === LAQUOT) {
    angle = true;
  } else {
    // display-name = *(token LWS): look ahead for "<" over tokens and whitespace. Raw UTF-8
    // is tolerated here although the grammar asks for a quoted-string (deviation, seen
    // from real phones).
    let j = i;
    while (j < b) {
      const c = s.charCodeAt(j);
      if (c === LAQUOT || !(c > 0x7f || isWs(c) || (CHARS[c] & C_TOKEN) !== 0)) break;
      j++;
    }
    if (j < b && s.charCodeAt(j) === LAQUOT) {
      displayName = collapseWs(s, i, j);
      i = j;
      angle = true;
    }
  }

  let uri: Uri;
  if (angle) {
    const close = s.indexOf('>', i + 1);
    if (close < 0 || close >= b) throw malformedValue(what);
    uri = parseUriRange(s, i + 1, close, what, ' header');
    i = close + 1;
  } else {
    // addr-spec: "any semicolon-delimited parameters are header-parameters, not URI
    // parameters" (RFC 3261 §20.10), and it may hold no comma or whitespace.
    let j = i;
    while (j < b) {
      const c = s.charCodeAt(j);
      if (c === SEMI || isWs(c) || (inList && c === COMMA)) break;
      // "If the URI contains a comma, question mark or semicolon, the URI MUST be enclosed
      // in angle brackets" (RFC 3261 §20.10)
      if (c === QUESTION) throw malformedValue(what);
      j++;
    }
    if (j === i) throw malformedValue(what);
    uri = parseUriRange(s, i, j, what, ' header');
    i = j;
  }

  let params = EMPTY_HEADER_PARAMS;
  let tag: string | undefined;
  i = skipWs(s, i, b);
  if (i < b && s.charCodeAt(i) === SEMI) {
    const m = new Map<string, string | null>();
    i = readGenericParams(s, i, b, m, what);
    params = m;
    const t = m.get('tag');
    if (t !== undefined && t !== null) tag = t;
  }
  nextIndex = i;
  return { displayName, uri, params, tag };
}

/** Exactly one name-addr / addr-spec filling s (From, To, Refer-To, ...). */
export function parseNameAddrValue(s: string, what: string): NameAddr {
  const v = parseNameAddrAt(s, 0, s.length, what, false);
  if (nextIndex !== s.length) throw malformedValue(what);
  return v;
}

/** A comma list of name-addr / addr-spec (Route, Record-Route, Contact, Path, ...). */
export function parseNameAddrList(s: string, what: string, out: NameAddr[] = []): NameAddr[] {
  const b = s.length;
  let i = 0;
  for (;;) {
    out.push(parseNameAddrAt(s, i, b, what, true));
    i = nextIndex;
    if (i >= b) return out;
    if (s.charCodeAt(i) !== COMMA) throw malformedValue(what);
    i++;
  }
}

/** Contact values: `*` or a list (RFC 3261 §20.10). */
export function parseContactValue(s: string): ContactList {
  const i = skipWs(s, 0, s.length);
  if (s.charCodeAt(i) === 0x2a && skipWs(s, i + 1, s.length) === s.length) return '*';
  return parseNameAddrList(s, 'Contact');
}

function unescapeQuoted(s: string, a: number, b: number): string {
  const raw = s.slice(a, b);
  return raw.indexOf('\\') < 0 ? raw : raw.replace(/\\(.)/gs, '$1');
}

function collapseWs(s: string, a: number, b: number): string | undefined {
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  if (a === b) return undefined;
  // the common case, single spaces only, costs one scan and no regular expression
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === HT || (c === SP && s.charCodeAt(i + 1) === SP)) return s.slice(a, b).replace(/[ \t]+/g, ' ');
  }
  return s.slice(a, b);
}

export interface NameAddrInit {
  readonly displayName?: string;
  readonly uri: Uri;
  readonly params?: Iterable<readonly [string, string | null]>;
}

/** `"Display" <uri>;params` — always with angle brackets, which is never wrong. */
export function formatNameAddr(value: NameAddr | NameAddrInit): string {
  let out = value.displayName === undefined || value.displayName === '' ? '' : quote(value.displayName) + ' ';
  out += '<' + formatUri(value.uri) + '>';
  if (value.params !== undefined) {
    const params = value.params instanceof Map ? (value.params as HeaderParams) : new Map(value.params);
    if (params.size > 0) out += formatHeaderParams(params);
  }
  return out;
}
