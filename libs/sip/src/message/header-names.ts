// Header names: case-insensitive (RFC 3261 §7.3.1) and with compact forms (RFC 3261 §7.3.3
// and the extensions that registered one). Every name is reduced to a key — the lower-case
// long form — which is what lookups compare.

import { C_TOKEN, CHARS } from './chars';

/** Slots of the headers the parser picks out while it scans, to validate them eagerly. */
export enum Slot {
  None = 0,
  Via,
  From,
  To,
  CallId,
  CSeq,
  MaxForwards,
  ContentLength,
}

export interface HeaderDef {
  /** Lower-case long form, e.g. "call-id". */
  readonly key: string;
  /** Conventional spelling for messages we build, e.g. "Call-ID". */
  readonly canonical: string;
  readonly slot: Slot;
}

const CANONICAL: ReadonlyArray<readonly [canonical: string, compact?: string, slot?: Slot]> = [
  ['Via', 'v', Slot.Via],
  ['From', 'f', Slot.From],
  ['To', 't', Slot.To],
  ['Call-ID', 'i', Slot.CallId],
  ['CSeq', undefined, Slot.CSeq],
  ['Max-Forwards', undefined, Slot.MaxForwards],
  ['Content-Length', 'l', Slot.ContentLength],
  ['Contact', 'm'],
  ['Content-Type', 'c'],
  ['Content-Encoding', 'e'],
  ['Supported', 'k'],
  ['Subject', 's'],
  ['Event', 'o'], // RFC 6665 §8.2.1
  ['Allow-Events', 'u'], // RFC 6665 §8.2.2
  ['Refer-To', 'r'], // RFC 3515 §2.1
  ['Referred-By', 'b'], // RFC 3892 §3
  ['Accept-Contact', 'a'], // RFC 3841 §10
  ['Reject-Contact', 'j'], // RFC 3841 §10
  ['Request-Disposition', 'd'], // RFC 3841 §10
  ['Session-Expires', 'x'], // RFC 4028 §4
  ['Identity', 'y'], // RFC 8224 §4
  ['Identity-Info', 'n'], // RFC 4474 (obsolete, still seen)
  ['Route'],
  ['Record-Route'],
  ['Expires'],
  ['Require'],
  ['Proxy-Require'],
  ['Unsupported'],
  ['Allow'],
  ['Accept'],
  ['Accept-Encoding'],
  ['Accept-Language'],
  ['Alert-Info'],
  ['Authentication-Info'],
  ['Authorization'],
  ['Call-Info'],
  ['Content-Disposition'],
  ['Content-Language'],
  ['Date'],
  ['Error-Info'],
  ['In-Reply-To'],
  ['Min-Expires'],
  ['MIME-Version'],
  ['Organization'],
  ['Priority'],
  ['Proxy-Authenticate'],
  ['Proxy-Authorization'],
  ['Reply-To'],
  ['Retry-After'],
  ['Server'],
  ['Timestamp'],
  ['User-Agent'],
  ['Warning'],
  ['WWW-Authenticate'],
  ['RAck'],
  ['RSeq'],
  ['Path'],
  ['Service-Route'],
  ['P-Asserted-Identity'],
  ['P-Preferred-Identity'],
  ['Privacy'],
  ['Replaces'],
  ['Min-SE'],
  ['Diversion'],
  ['History-Info'],
  ['Reason'],
  ['Subscription-State'],
  ['SIP-ETag'],
  ['SIP-If-Match'],
];

const TABLE = new Map<string, HeaderDef>();
/** Long forms bucketed by the lower-case first letter, for matching inside the message text. */
const BY_LETTER: HeaderDef[][] = Array.from({ length: 26 }, () => []);
/** Compact forms by letter. */
const COMPACT: Array<HeaderDef | undefined> = new Array<HeaderDef | undefined>(26).fill(undefined);
for (const [canonical, compact, slot] of CANONICAL) {
  const def: HeaderDef = { key: canonical.toLowerCase(), canonical, slot: slot ?? Slot.None };
  TABLE.set(canonical, def);
  TABLE.set(def.key, def);
  BY_LETTER[def.key.charCodeAt(0) - 0x61].push(def);
  if (compact !== undefined) {
    TABLE.set(compact, def);
    TABLE.set(compact.toUpperCase(), def);
    COMPACT[compact.charCodeAt(0) - 0x61] = def;
  }
}

/** Out-parameter of matchHeaderAt(): the text spelled the name exactly as `canonical`. @internal */
export const HEADER_MATCH = { exact: false };

/**
 * The definition of the known header whose name is text[a, b), compared without slicing
 * or hashing (the parser's hot path). HEADER_MATCH.exact tells whether the spelling is the
 * canonical one, so the caller can reuse that string instead of slicing a new one.
 * @internal
 */
export function matchHeaderAt(text: string, a: number, b: number): HeaderDef | undefined {
  const len = b - a;
  const first = text.charCodeAt(a) | 0x20;
  if (first < 0x61 || first > 0x7a) return undefined;
  if (len === 1) {
    const def = COMPACT[first - 0x61];
    HEADER_MATCH.exact = false; // a compact form is never the canonical spelling
    return def;
  }
  const bucket = BY_LETTER[first - 0x61];
  outer: for (let d = 0; d < bucket.length; d++) {
    const def = bucket[d];
    const key = def.key;
    if (key.length !== len) continue;
    const canonical = def.canonical;
    let exact = true;
    for (let j = 0; j < len; j++) {
      const c = text.charCodeAt(a + j);
      if (c === canonical.charCodeAt(j)) continue;
      exact = false;
      const k = key.charCodeAt(j);
      // letters match in either case; "-" only as itself
      if (c !== k && (k < 0x61 || (c | 0x20) !== k)) continue outer;
    }
    HEADER_MATCH.exact = exact;
    return def;
  }
  return undefined;
}

/** The definition of a known header name (any case, long or compact), else undefined. */
export function lookupHeader(name: string): HeaderDef | undefined {
  return TABLE.get(name) ?? TABLE.get(name.toLowerCase());
}

/** The lookup key of any header name: lower-case long form. */
export function headerKey(name: string): string {
  const def = lookupHeader(name);
  return def === undefined ? name.toLowerCase() : def.key;
}

/** The spelling we write for a name we did not receive ("call-id" → "Call-ID"). */
export function canonicalHeaderName(name: string): string {
  const def = lookupHeader(name);
  return def === undefined ? name : def.canonical;
}

/** field-name = token (RFC 3261 §25.1). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || (CHARS[c] & C_TOKEN) === 0) return false;
  }
  return true;
}
