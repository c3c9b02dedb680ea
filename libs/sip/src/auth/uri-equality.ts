// URI comparison of RFC 3261 §19.1.4, used to match a digest `uri` parameter against the
// Request-URI (RFC 3261 §22.4: the two may be written differently yet name the same URI).

import { parseUri, Uri } from '../message/sip-uri';

/** Parameters that, present in one SIP URI, must be present and equal in the other. */
const MUST_MATCH = ['user', 'ttl', 'method', 'maddr', 'transport'];

/** Equal as URIs (RFC 3261 §19.1.4). Never throws: text that is not a URI equals only itself. */
export function uriTextEquals(a: string, b: string): boolean {
  if (a === b) return true;
  let ua: Uri;
  let ub: Uri;
  try {
    ua = parseUri(a);
    ub = parseUri(b);
  } catch {
    return false;
  }
  return urisEqual(ua, ub);
}

export function urisEqual(a: Uri, b: Uri): boolean {
  if (a.kind === 'sip' && b.kind === 'sip') {
    if (a.scheme !== b.scheme) return false;
    // userinfo is case-sensitive, the rest is not
    if (a.user !== b.user || a.password !== b.password) return false;
    if (a.host.toLowerCase() !== b.host.toLowerCase() || a.port !== b.port) return false;
    for (const name of MUST_MATCH) if (a.params.has(name) !== b.params.has(name)) return false;
    for (const [name, value] of a.params) {
      if (!b.params.has(name)) continue; // a parameter in one URI only is ignored
      if (!paramValueEquals(value, b.params.get(name) ?? null)) return false;
    }
    if (a.headers.size !== b.headers.size) return false;
    for (const [name, value] of a.headers) if (b.headers.get(name) !== value) return false;
    return true;
  }
  if (a.kind === 'tel' && b.kind === 'tel') {
    // RFC 3966 §4: visual separators do not count; parameters compare as a set
    if (a.number.replace(/[-.()]/g, '').toLowerCase() !== b.number.replace(/[-.()]/g, '').toLowerCase()) return false;
    if (a.params.size !== b.params.size) return false;
    for (const [name, value] of a.params) if (!b.params.has(name) || !paramValueEquals(value, b.params.get(name) ?? null)) return false;
    return true;
  }
  if (a.kind === 'absolute' && b.kind === 'absolute') return a.scheme === b.scheme && a.value === b.value;
  return false;
}

function paramValueEquals(x: string | null, y: string | null): boolean {
  if (x === null || y === null) return x === y;
  return decode(x).toLowerCase() === decode(y).toLowerCase();
}

function decode(v: string): string {
  if (v.indexOf('%') < 0) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
