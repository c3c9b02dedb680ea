// Splitting comma-separated header values (RFC 3261 §7.3.1). A comma inside a quoted
// string or between < and > belongs to the value, not to the list.

import { BACKSLASH, COMMA, DQUOTE, isWs, LAQUOT, RAQUOT } from './chars';

/** Splits a field value into its list elements, trimmed; empty elements are dropped. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let inAngle = false;
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === BACKSLASH) i++;
      else if (c === DQUOTE) inQuote = false;
    } else if (c === DQUOTE) {
      inQuote = true;
    } else if (inAngle) {
      if (c === RAQUOT) inAngle = false;
    } else if (c === LAQUOT) {
      inAngle = true;
    } else if (c === COMMA) {
      pushTrimmed(out, value, start, i);
      start = i + 1;
    }
  }
  pushTrimmed(out, value, start, n);
  return out;
}

function pushTrimmed(out: string[], s: string, a: number, b: number): void {
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  if (b > a) out.push(s.slice(a, b));
}

/** Index of the first character at or after `from` that is not SP or HTAB. */
export function skipWs(s: string, from: number, end: number): number {
  while (from < end && isWs(s.charCodeAt(from))) from++;
  return from;
}

/** Index just past the last character before `end` that is not SP or HTAB. */
export function trimEnd(s: string, start: number, end: number): number {
  while (end > start && isWs(s.charCodeAt(end - 1))) end--;
  return end;
}
