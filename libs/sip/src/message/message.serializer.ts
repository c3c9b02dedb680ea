// Writing messages back to bytes (RFC 3261 §7). Header rows go out as they are held;
// Content-Length is always recomputed from the body (RFC 3261 §20.14), in place of the
// first Content-Length row or, when there was none, after the last header.

import { SipMessage } from './message';

/** Start line and headers, with the empty line, as one string. */
export function serializeHead(message: SipMessage): string {
  let s = message.kind === 'request' ? message.method + ' ' + message.uriText + ' SIP/2.0\r\n' : 'SIP/2.0 ' + message.status + ' ' + message.reason + '\r\n';
  const fields = message.headers.fieldArray();
  const len = message.body.length;
  let wroteLength = false;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.key === 'content-length') {
      if (!wroteLength) {
        s += f.name + ': ' + len + '\r\n';
        wroteLength = true;
      }
      continue;
    }
    s += f.name + ': ' + f.value + '\r\n';
  }
  if (!wroteLength) s += 'Content-Length: ' + len + '\r\n';
  return s + '\r\n';
}

/**
 * Scratch space to encode a head once: writing into it and copying out is cheaper than
 * Buffer.byteLength() followed by a second encoding pass.
 */
const scratch = Buffer.allocUnsafe(64 * 1024);

/** The message as bytes, ready for a socket. */
export function serialize(message: SipMessage): Buffer {
  const head = serializeHead(message);
  const body = message.body;
  // a UTF-16 unit is at most 3 UTF-8 bytes, so a head this short surely fits the scratch
  if (head.length * 3 <= scratch.length) {
    const n = scratch.write(head, 0, 'utf8');
    const out = Buffer.allocUnsafe(n + body.length);
    scratch.copy(out, 0, 0, n);
    if (body.length > 0) body.copy(out, n);
    return out;
  }
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + body.length);
  out.write(head, 0, headBytes, 'utf8');
  body.copy(out, headBytes);
  return out;
}

/** The message as text (the body decoded as UTF-8), for logs and tests. */
export function serializeToString(message: SipMessage): string {
  const head = serializeHead(message);
  return message.body.length === 0 ? head : head + message.body.toString('utf8');
}
