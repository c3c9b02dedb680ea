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
  readonly status: SipErrorStatus;
  readonly reason: string;

  constructor(status: SipErrorStatus, reason: string) {
    // No stack trace: the error describes the input, not our code, and capturing one costs
    // several µs, which would make a flood of malformed packets far dearer than valid ones.
    // The limit is restored before any other code can run.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(reason);
    Error.stackTraceLimit = limit;
    this.name = 'SipParseError';
    this.status = status;
    this.reason = reason;
  }

  toFailure(): SipParseFailure {
    return { status: this.status, reason: this.reason };
  }
}

/**
 * A refusal the parser returns instead of throwing, on its own paths: in V8 a throw costs
 * microseconds (unwinding, message object), more than parsing a valid message. Sub-parsers
 * that throw SipParseError are still caught at the top.
 * @internal
 */
export class ParseFault implements SipParseFailure {
  constructor(
    readonly status: SipErrorStatus,
    readonly reason: string,
  ) {}
}

export function badRequestFault(what: string): ParseFault {
  return new ParseFault(400, `Bad Request - ${what}`);
}

export const TOO_LARGE_FAULT = new ParseFault(513, 'Message Too Large');

export function badRequest(what: string): SipParseError {
  return new SipParseError(400, `Bad Request - ${what}`);
}
