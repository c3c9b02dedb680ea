// A reply to a request the parser refused (SPEC B-1). RFC 3261 §8.2 lets a UAS answer a
// malformed request with 400 when it can still address the answer: that needs the request's
// Via, From, To, Call-ID and CSeq rows as they were written. This picks those rows out of the
// raw text without parsing them (they may be the broken part) and copies them into a
// response, so the sender learns what was wrong. Without them the datagram is dropped.

import { SipParseFailure } from './parse-error';

const NEEDED = new Map<string, string>([
  ['via', 'via'],
  ['v', 'via'],
  ['from', 'from'],
  ['f', 'from'],
  ['to', 'to'],
  ['t', 'to'],
  ['call-id', 'call-id'],
  ['i', 'call-id'],
  ['cseq', 'cseq'],
]);

const MAX_SCAN = 16 * 1024;

/**
 * The bytes of a response answering `raw` with `failure`'s status and reason, or undefined
 * when `raw` is not a request or lacks a row needed to address the response. ACK is never
 * answered (RFC 3261 §17.2.3: ACK gets no response).
 */
export function replyToUnparseable(raw: Buffer, failure: SipParseFailure, toTag: string): Buffer | undefined {
  const text = raw.toString('latin1', 0, Math.min(raw.length, MAX_SCAN));
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first] === '') first++;
  const startLine = lines[first] ?? '';
  const method = /^([A-Za-z!%*_+`'~.-]+) \S+ SIP\/\d+\.\d+$/.exec(startLine.trim())?.[1];
  if (method === undefined || method.toUpperCase() === 'ACK') return undefined;
  const rows: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (let i = first + 1; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = NEEDED.get(line.slice(0, colon).trim().toLowerCase());
    if (key === undefined) continue;
    const value = line.slice(colon + 1).trim();
    if (value === '' || /[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return undefined;
    if (key !== 'via' && seen.has(key)) continue;
    seen.add(key);
    rows.push([key, value]);
  }
  for (const k of ['via', 'from', 'to', 'call-id', 'cseq']) if (!seen.has(k)) return undefined;
  const names: Record<string, string> = { via: 'Via', from: 'From', to: 'To', 'call-id': 'Call-ID', cseq: 'CSeq' };
  const reason = failure.reason.replace(/[\r\n]/g, ' ').slice(0, 200);
  let out = `SIP/2.0 ${failure.status} ${reason}\r\n`;
  for (const [k, v] of rows) out += `${names[k]}: ${k === 'to' && !/;\s*tag=/i.test(v) ? `${v};tag=${toTag}` : v}\r\n`;
  out += 'Content-Length: 0\r\n\r\n';
  return Buffer.from(out, 'latin1');
}
