// How a malformed message is reported. parseMessage() turns every fault into a
// SipParseFailure (it never throws); the lazy typed accessors of a message and the
// value-level parsers (parseUri, parseNameAddr, ...) throw SipParseError instead.

/**
 * 400 for anything malformed, 505 for a well-formed start line carrying another SIP
 * version (RFC 3261 §8.2.2 does not name it, RFC 4475 §3.1.2.16 expects 505), 513 for a
 * message above the size limit (RFC 3261 §21.5.14).
 */
export type SipErrorStatus = 400 | 505 | 513;

export interface SipParseFailure {
  readonly status: SipErrorStatus;
  /** Status text that names the fault, e.g. "Bad Request - malformed Via header". */
  readonly reason: string;
}

export class SipParseError extends Error implements SipParseFailure {
  constructor(
    readonly status: SipErrorStatus,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'SipParseError';
  }

  toFailure(): SipParseFailure {
    return { status: this.status, reason: this.reason };
  }
}

export function badRequest(what: string): SipParseError {
  return new SipParseError(400, `Bad Request - ${what}`);
}

/** "malformed <Header> header", the most common reason phrase. */
export function malformed(header: string): SipParseError {
  return new SipParseError(400, `Bad Request - malformed ${header} header`);
}

export function tooLarge(): SipParseError {
  return new SipParseError(513, 'Message Too Large');
}
