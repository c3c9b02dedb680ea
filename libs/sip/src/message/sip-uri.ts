// SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966 §3) and, for anything else, the
// absoluteURI of RFC 3261 §25.1 kept as text. Parsed by hand with charCodeAt scans.

import {
  AMP,
  C_DIGIT,
  C_HNV,
  C_HOST,
  C_IPV6,
  C_PARAM,
  C_PASSWORD,
  C_SCHEME,
  C_URIC,
  C_USER,
  CHARS,
  COLON,
  EQUAL,
  hexValue,
  LBRACKET,
  PERCENT,
  QUESTION,
  SEMI,
} from './chars';
import { paramName } from './header-params';
import { SipParseError } from './parse-error';

/** uri-parameters: lower-cased name → value as written (escapes kept), null for a flag (`;lr`). */
export type UriParams = ReadonlyMap<string, string | null>;

export type HostType = 'domain' | 'ipv4' | 'ipv6';

export interface SipUri {
  readonly kind: 'sip';
  readonly scheme: 'sip' | 'sips';
  /** Percent-escapes decoded (RFC 3261 §19.1.2). */
  readonly user?: string;
  /** Percent-escapes decoded. */
  readonly password?: string;
  /** As written; an IPv6 reference keeps its brackets: "[2001:db8::1]". */
  readonly host: string;
  readonly hostType: HostType;
  readonly port?: number;
  readonly params: UriParams;
  /** `?name=value&...`, values decoded. */
  readonly headers: ReadonlyMap<string, string>;
}

/** RFC 3966 tel URI. */
export interface TelUri {
  readonly kind: 'tel';
  /** global-number ("+1-212-555-0101") or local-number, as written. */
  readonly number: string;
  readonly params: UriParams;
}

/** Any other scheme (mailto:, urn:, http:, ...): kept as text, scheme lower-cased. */
export interface AbsoluteUri {
  readonly kind: 'absolute';
  readonly scheme: string;
  /** Everything after "scheme:". */
  readonly value: string;
}

export type Uri = SipUri | TelUri | AbsoluteUri;

const EMPTY_PARAMS: UriParams = new Map<string, string | null>();
const EMPTY_HEADERS: ReadonlyMap<string, string> = new Map<string, string>();

/** Parses a URI; throws SipParseError (400 "Bad Request - malformed URI") when it is not one. */
export function parseUri(text: string): Uri {
  return parseUriRange(text, 0, text.length, 'URI');
}

/**
 * Parses s[a, b) as a URI. `what` + `sfx` name the element in the error ("To" + " header",
 * "Request-URI"); kept apart so that no label string is built unless there is an error.
 * @internal
 */
export function parseUriRange(s: string, a: number, b: number, what: string, sfx = ''): Uri {
  const colon = s.indexOf(':', a);
  if (colon <= a || colon >= b) throw bad(what, sfx);
  const len = colon - a;
  if (len === 3 && lowerAt(s, a) === 0x73 && lowerAt(s, a + 1) === 0x69 && lowerAt(s, a + 2) === 0x70) {
    return parseSip(s, colon + 1, b, 'sip', what, sfx);
  }
  if (len === 4 && lowerAt(s, a) === 0x73 && lowerAt(s, a + 1) === 0x69 && lowerAt(s, a + 2) === 0x70 && lowerAt(s, a + 3) === 0x73) {
    return parseSip(s, colon + 1, b, 'sips', what, sfx);
  }
  if (len === 3 && lowerAt(s, a) === 0x74 && lowerAt(s, a + 1) === 0x65 && lowerAt(s, a + 2) === 0x6c) {
    return parseTel(s, colon + 1, b, what, sfx);
  }
  return parseAbsolute(s, a, colon, b, what, sfx);
}

function lowerAt(s: string, i: number): number {
  return s.charCodeAt(i) | 0x20;
}

function bad(what: string, sfx: string): SipParseError {
  return new SipParseError(400, `Bad Request - malformed ${what}${sfx}`);
}

function parseSip(s: string, i: number, b: number, scheme: 'sip' | 'sips', what: string, sfx: string): SipUri {
  let user: string | undefined;
  let password: string | undefined;
  // userinfo ends at the "@"; neither user nor password may hold an unescaped "@" (§25.1).
  const at = s.indexOf('@', i);
  if (at >= 0 && at < b) {
    let userEnd = at;
    for (let j = i; j < at; j++) {
      if (s.charCodeAt(j) === COLON) {
        userEnd = j;
        break;
      }
    }
    if (userEnd === i) throw bad(what, sfx); // user = 1*( unreserved / escaped / user-unreserved )
    user = decodeRange(s, i, userEnd, C_USER, what, sfx);
    if (userEnd < at) password = decodeRange(s, userEnd + 1, at, C_PASSWORD, what, sfx);
    i = at + 1;
  }

  // host = hostname / IPv4address / IPv6reference
  const hostEnd = scanHost(s, i, b);
  if (hostEnd < 0) throw bad(what, sfx);
  const host = s.slice(i, hostEnd);
  const hostType = HOST_SCAN.type;
  i = hostEnd;

  let port: number | undefined;
  if (i < b && s.charCodeAt(i) === COLON) {
    const r = readPort(s, i + 1, b);
    if (r < 0) throw bad(what, sfx);
    port = portValue;
    i = r;
  }

  let params = EMPTY_PARAMS;
  if (i < b && s.charCodeAt(i) === SEMI) {
    const m = new Map<string, string | null>();
    i = readUriParams(s, i, b, m, what, sfx);
    params = m;
  }

  let headers = EMPTY_HEADERS;
  if (i < b && s.charCodeAt(i) === QUESTION) {
    const m = new Map<string, string>();
    i = i + 1;
    for (;;) {
      let j = i;
      while (j < b && s.charCodeAt(j) !== EQUAL && s.charCodeAt(j) !== AMP) j++;
      if (j === i || j >= b || s.charCodeAt(j) !== EQUAL) throw bad(what, sfx);
      const name = decodeRange(s, i, j, C_HNV, what, sfx);
      let k = j + 1;
      while (k < b && s.charCodeAt(k) !== AMP) k++;
      m.set(name, decodeRange(s, j + 1, k, C_HNV, what, sfx));
      i = k;
      if (i >= b) break;
      i++; // "&"
    }
    headers = m;
  }

  if (i !== b) throw bad(what, sfx);
  return { kind: 'sip', scheme, user, password, host, hostType, port, params, headers };
}

let portValue = 0;

/** Out-parameter of scanHost(), to avoid an allocation per call. @internal */
export const HOST_SCAN: { type: HostType } = { type: 'domain' };

/**
 * Scans host = hostname / IPv4address / IPv6reference at s[i..b); returns the index after
 * it, or -1, with its type in HOST_SCAN.type. Hostnames may also hold "_" (deviation:
 * RFC 3261 §25.1 forbids it, yet such names exist in private DNS).
 * @internal
 */
export function scanHost(s: string, i: number, b: number): number {
  if (s.charCodeAt(i) === LBRACKET) {
    const close = s.indexOf(']', i);
    if (close < 0 || close >= b || close === i + 1) return -1;
    for (let j = i + 1; j < close; j++) {
      const c = s.charCodeAt(j);
      if (c > 0x7f || (CHARS[c] & C_IPV6) === 0) return -1;
    }
    HOST_SCAN.type = 'ipv6';
    return close + 1;
  }
  let j = i;
  let numeric = true;
  for (; j < b; j++) {
    const c = s.charCodeAt(j);
    if (c > 0x7f || (CHARS[c] & C_HOST) === 0) break;
    if (numeric && c !== 0x2e && (CHARS[c] & C_DIGIT) === 0) numeric = false;
  }
  if (j === i) return -1;
  if (numeric) {
    if (!isIpv4(s, i, j)) return -1;
    HOST_SCAN.type = 'ipv4';
  } else {
    HOST_SCAN.type = 'domain';
  }
  return j;
}

/** Reads a port (1*5DIGIT ≤ 65535) at s[i..b): the index after it, or -1. @internal */
export function scanPort(s: string, i: number, b: number): number {
  return readPort(s, i, b);
}

/** The value read by the last successful scanPort(). @internal */
export function lastPort(): number {
  return portValue;
}

/** Reads 1*5DIGIT ≤ 65535 at s[i..); returns the index after it (value in portValue) or -1. */
function readPort(s: string, i: number, b: number): number {
  let v = 0;
  const start = i;
  while (i < b) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + (c - 0x30);
    i++;
    if (i - start > 5) return -1;
  }
  if (i === start || v > 65535) return -1;
  portValue = v;
  return i;
}

function isIpv4(h: string, a: number, b: number): boolean {
  let parts = 0;
  let v = -1;
  for (let i = a; i <= b; i++) {
    const c = i < b ? h.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (v < 0 || v > 255) return false;
      parts++;
      v = -1;
    } else {
      v = v < 0 ? c - 0x30 : v * 10 + (c - 0x30);
      if (v > 999) return false;
    }
  }
  return parts === 4;
}

/** `*( ";" pname [ "=" pvalue ] )` starting at the first ";"; returns the index after them. */
function readUriParams(s: string, i: number, b: number, into: Map<string, string | null>, what: string, sfx: string): number {
  while (i < b && s.charCodeAt(i) === SEMI) {
    const start = ++i;
    let eq = -1;
    for (; i < b; i++) {
      const c = s.charCodeAt(i);
      if (c === SEMI || c === QUESTION) break;
      if (c === EQUAL && eq < 0) {
        eq = i;
        continue;
      }
      if (c === PERCENT) {
        if (i + 2 >= b || hexValue(s.charCodeAt(i + 1)) < 0 || hexValue(s.charCodeAt(i + 2)) < 0) throw bad(what, sfx);
        i += 2;
        continue;
      }
      if (c > 0x7f || (CHARS[c] & C_PARAM) === 0) throw bad(what, sfx);
    }
    const nameEnd = eq < 0 ? i : eq;
    if (nameEnd === start) throw bad(what, sfx);
    into.set(paramName(s, start, nameEnd), eq < 0 ? null : s.slice(eq + 1, i));
  }
  return i;
}

function parseTel(s: string, i: number, b: number, what: string, sfx: string): TelUri {
  let j = i;
  for (; j < b; j++) {
    const c = s.charCodeAt(j);
    if (c === SEMI) break;
    // phonedigit-hex, visual separators, "*", "#", "+" (RFC 3966 §3)
    if (!((CHARS[c] & C_DIGIT) !== 0 || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) || c === 0x2a || c === 0x23 || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x28 || c === 0x29)) {
      throw bad(what, sfx);
    }
  }
  if (j === i) throw bad(what, sfx);
  const number = s.slice(i, j);
  let params = EMPTY_PARAMS;
  if (j < b) {
    const m = new Map<string, string | null>();
    j = readUriParams(s, j, b, m, what, sfx);
    if (j !== b) throw bad(what, sfx);
    params = m;
  }
  return { kind: 'tel', number, params };
}

function parseAbsolute(s: string, a: number, colon: number, b: number, what: string, sfx: string): AbsoluteUri {
  const c0 = s.charCodeAt(a) | 0x20;
  if (c0 < 0x61 || c0 > 0x7a) throw bad(what, sfx);
  for (let j = a + 1; j < colon; j++) {
    const c = s.charCodeAt(j);
    if (c > 0x7f || (CHARS[c] & C_SCHEME) === 0) throw bad(what, sfx);
  }
  if (colon + 1 >= b) throw bad(what, sfx);
  for (let j = colon + 1; j < b; j++) {
    const c = s.charCodeAt(j);
    if (c > 0x7f || (CHARS[c] & C_URIC) === 0) throw bad(what, sfx);
  }
  return { kind: 'absolute', scheme: s.slice(a, colon).toLowerCase(), value: s.slice(colon + 1, b) };
}

/**
 * s[a, b) with %HH escapes decoded as UTF-8 (RFC 3261 §19.1.2); every other character must
 * carry `mask`.
 */
function decodeRange(s: string, a: number, b: number, mask: number, what: string, sfx: string): string {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === PERCENT) return decodeSlow(s, a, b, mask, what, sfx);
    if (c > 0x7f || (CHARS[c] & mask) === 0) throw bad(what, sfx);
  }
  return s.slice(a, b);
}

function decodeSlow(s: string, a: number, b: number, mask: number, what: string, sfx: string): string {
  const bytes: number[] = [];
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === PERCENT) {
      const hi = i + 1 < b ? hexValue(s.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < b ? hexValue(s.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) throw bad(what, sfx);
      bytes.push(hi * 16 + lo);
      i += 2;
    } else if (c > 0x7f || (CHARS[c] & mask) === 0) {
      throw bad(what, sfx);
    } else {
      bytes.push(c);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const HEX = '0123456789ABCDEF';

/** Escapes every character outside `mask` as %HH of its UTF-8 bytes. */
function encode(value: string, mask: number): string {
  let ok = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f || (CHARS[c] & mask) === 0) {
      ok = false;
      break;
    }
  }
  if (ok) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    if (byte < 0x80 && (CHARS[byte] & mask) !== 0) out += String.fromCharCode(byte);
    else out += '%' + HEX[byte >> 4] + HEX[byte & 15];
  }
  return out;
}

export function formatParams(params: ReadonlyMap<string, string | null>): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? ';' + name : ';' + name + '=' + value;
  return out;
}

export function formatUri(uri: Uri): string {
  switch (uri.kind) {
    case 'sip': {
      let out = uri.scheme + ':';
      if (uri.user !== undefined) {
        out += encode(uri.user, C_USER);
        if (uri.password !== undefined) out += ':' + encode(uri.password, C_PASSWORD);
        out += '@';
      }
      out += uri.host;
      if (uri.port !== undefined) out += ':' + uri.port;
      if (uri.params.size > 0) out += formatParams(uri.params);
      if (uri.headers.size > 0) {
        let sep = '?';
        for (const [name, value] of uri.headers) {
          out += sep + encode(name, C_HNV) + '=' + encode(value, C_HNV);
          sep = '&';
        }
      }
      return out;
    }
    case 'tel':
      return 'tel:' + uri.number + formatParams(uri.params);
    case 'absolute':
      return uri.scheme + ':' + uri.value;
  }
}

export interface SipUriInit {
  readonly scheme?: 'sip' | 'sips';
  readonly user?: string;
  readonly password?: string;
  readonly host: string;
  readonly port?: number;
  readonly params?: Iterable<readonly [string, string | null]>;
  readonly headers?: Iterable<readonly [string, string]>;
}

/** Builds a SipUri from parts; the host is checked by parsing the result. */
export function sipUri(init: SipUriInit): SipUri {
  const draft: SipUri = {
    kind: 'sip',
    scheme: init.scheme ?? 'sip',
    user: init.user,
    password: init.password,
    host: init.host,
    hostType: 'domain',
    port: init.port,
    params: new Map(init.params ?? []),
    headers: new Map(init.headers ?? []),
  };
  const parsed = parseUri(formatUri(draft));
  if (parsed.kind !== 'sip') throw new SipParseError(400, 'Bad Request - malformed URI');
  return parsed;
}
