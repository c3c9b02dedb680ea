// Shared by the digest specs (under test/, so the build leaves it out): a REGISTER to authenticate and a clock to move.

import { SipRequest } from '../../message/message';
import { parseMessage } from '../../message/message.parser';

export const REALM = 'pbx.example.com';
export const SECRET = 'a-test-secret-of-32-bytes-length';

export function register(extra: readonly string[] = [], uri = 'sip:pbx.example.com', method = 'REGISTER'): SipRequest {
  const text = [
    `${method} ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKdigest1;rport',
    'Max-Forwards: 70',
    'From: <sip:1001@pbx.example.com>;tag=a73kszlfl',
    'To: <sip:1001@pbx.example.com>',
    'Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10',
    `CSeq: 2 ${method}`,
    'Contact: <sip:1001@192.0.2.10:5060>',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const r = parseMessage(text);
  if (!r.ok || r.message.kind !== 'request') throw new Error(r.ok ? 'not a request' : r.error.reason);
  return r.message;
}

export function clock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
