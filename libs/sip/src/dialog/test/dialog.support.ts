// Shared by the dialog specs (under test/, so the build leaves it out): messages from text.

import { SipRequest, SipResponse } from '../../message/message';
import { parseMessage } from '../../message/message.parser';
import { DialogError } from '../dialog.state';

export function request(lines: readonly string[], body = ''): SipRequest {
  const r = parseMessage([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
  if (!r.ok || r.message.kind !== 'request') throw new Error(r.ok ? 'not a request' : r.error.reason);
  return r.message;
}

export function response(lines: readonly string[]): SipResponse {
  const r = parseMessage([...lines, 'Content-Length: 0', '', ''].join('\r\n'));
  if (!r.ok || r.message.kind !== 'response') throw new Error(r.ok ? 'not a response' : r.error.reason);
  return r.message;
}

/** The DialogError code `fn` throws, or 'no error'; any other throw goes on. */
export function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DialogError) return e.code;
    throw e;
  }
  return 'no error';
}

/** Alice's INVITE to Bob through two record-routing proxies (after RFC 3261 §24.2, trimmed). */
export const INVITE_LINES = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1',
  'Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8;received=192.0.2.101',
  'Max-Forwards: 68',
  'Record-Route: <sip:server10.biloxi.example.com;lr>',
  'Record-Route: <sip:bigbox3.site3.atlanta.example.com;lr>',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
];

/** The same INVITE as Alice sent it (before the proxies). */
export const ALICE_INVITE_LINES = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
];

/** Bob's 200 OK as Alice receives it. */
export const OK_LINES = [
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8;received=192.0.2.101',
  'Record-Route: <sip:server10.biloxi.example.com;lr>',
  'Record-Route: <sip:bigbox3.site3.atlanta.example.com;lr>',
  'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:bob@192.0.2.4>',
];
