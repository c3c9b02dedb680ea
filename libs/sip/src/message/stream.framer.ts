// Cutting a byte stream (TCP, TLS, WebSocket without message framing) into SIP messages.
// RFC 3261 §18.3: on a stream, Content-Length is mandatory and says where the body ends;
// RFC 3261 §7.5: CRLFs before a start line are ignored, which also swallows the RFC 5626
// §3.5.1 CRLF keep-alives ("\r\n\r\n" ping, "\r\n" pong).

import { CR, LF } from './chars';
import { resolveLimits, SipLimits } from './limits';
import { EMPTY_BODY, SipMessage } from './message';
import { buildMessage, HeadScan, parseContentLengthValue, scanHead } from './message.parser';
import { badRequestFault, ParseFault, SipParseError, SipParseFailure, TOO_LARGE_FAULT } from './parse-error';

export type FramerOutput =
  | { readonly kind: 'message'; readonly message: SipMessage; readonly raw: Buffer }
  /**
   * `fatal`: framing is lost (no or bad Content-Length, too large, unreadable header
   * section). Answer if you can, then close the connection; the framer takes no more.
   * Otherwise the bad message was skipped and the stream goes on.
   */
  | { readonly kind: 'error'; readonly error: SipParseFailure; readonly fatal: boolean }
  /** A "\r\n\r\n" ping, reported only with `reportKeepAlives`; reply "\r\n" (RFC 5626 §4.4.1). */
  | { readonly kind: 'keepalive' };

export interface StreamFramerOptions {
  readonly limits?: Partial<SipLimits>;
  readonly reportKeepAlives?: boolean;
  /** As ParseOptions.eagerHeaders. */
  readonly eagerHeaders?: readonly string[];
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

function toFailure(e: unknown): SipParseFailure {
  if (e instanceof SipParseError || e instanceof ParseFault) return { status: e.status, reason: e.reason };
  // a bug of ours must not take the connection's reader down with it
  return { status: 400, reason: 'Bad Request - malformed message' };
}

interface PendingHead {
  readonly scan: HeadScan;
  /** Offset of the body from the message start. */
  readonly headBytes: number;
  readonly contentLength: number;
}

export class SipStreamFramer {
  private readonly limits: SipLimits;
  private readonly reportKeepAlives: boolean;
  private readonly eagerHeaders: readonly string[] | undefined;
  private buf: Buffer = EMPTY_BODY;
  /** Where the header search resumes, relative to buf. */
  private searchFrom = 0;
  private pending: PendingHead | undefined = undefined;
  /** CR/LF bytes skipped since the last message, to spot "\r\n\r\n" pings. */
  private crlfRun = 0;
  private dead = false;

  constructor(opts: StreamFramerOptions = {}) {
    this.limits = resolveLimits(opts.limits);
    this.reportKeepAlives = opts.reportKeepAlives ?? false;
    this.eagerHeaders = opts.eagerHeaders;
  }

  /** True after a fatal error: the connection should be closed. */
  get failed(): boolean {
    return this.dead;
  }

  /** Bytes held while waiting for the rest of a message. */
  get bufferedBytes(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = EMPTY_BODY;
    this.searchFrom = 0;
    this.pending = undefined;
    this.crlfRun = 0;
    this.dead = false;
  }

  /** Feeds received bytes; returns the messages (and errors) they complete, in order. */
  push(chunk: Buffer | string): FramerOutput[] {
    const out: FramerOutput[] = [];
    if (this.dead) return out;
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (data.length === 0) return out;
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    try {
      this.drain(out);
    } catch (e) {
      // framing faults are thrown inside drain() (rare, and they end the stream)
      out.push({ kind: 'error', error: toFailure(e), fatal: true });
      this.dead = true;
      this.buf = EMPTY_BODY;
      this.pending = undefined;
    }
    return out;
  }

  private drain(out: FramerOutput[]): void {
    const limits = this.limits;
    for (;;) {
      let buf = this.buf;
      if (this.pending === undefined) {
        // skip CRLFs between messages
        let i = 0;
        while (i < buf.length && (buf[i] === CR || buf[i] === LF)) {
          i++;
          if (++this.crlfRun === 4) {
            this.crlfRun = 0;
            if (this.reportKeepAlives) out.push({ kind: 'keepalive' });
          }
        }
        if (i > 0) {
          this.buf = buf = buf.subarray(i);
          this.searchFrom = 0;
        }
        if (buf.length === 0) return;
        this.crlfRun = 0;

        const end = buf.indexOf(CRLFCRLF, this.searchFrom);
        if (end < 0) {
          if (buf.length > limits.maxMessageBytes) throw TOO_LARGE_FAULT;
          this.searchFrom = Math.max(0, buf.length - 3);
          return;
        }
        const headBytes = end + 4;
        if (headBytes > limits.maxMessageBytes) throw TOO_LARGE_FAULT;
        // An unreadable header section leaves us without a Content-Length: fatal.
        const scan = scanHead(buf.toString('utf8', 0, end + 2), limits);
        if (scan instanceof ParseFault) throw scan;
        const cl = scan.contentLength;
        if (cl === undefined) throw badRequestFault('missing Content-Length header'); // RFC 3261 §18.3
        for (const f of scan.fields) if (f.key === 'content-length' && f !== cl) throw badRequestFault('multiple Content-Length headers');
        const contentLength = parseContentLengthValue(cl.value);
        if (contentLength < 0) throw badRequestFault('malformed Content-Length header');
        if (headBytes + contentLength > limits.maxMessageBytes) throw TOO_LARGE_FAULT;
        this.pending = { scan, headBytes, contentLength };
      }

      const p = this.pending;
      const total = p.headBytes + p.contentLength;
      if (buf.length < total) return;
      const raw = buf.subarray(0, total);
      this.buf = buf.length === total ? EMPTY_BODY : buf.subarray(total);
      this.searchFrom = 0;
      this.pending = undefined;
      try {
        const message = buildMessage(p.scan);
        if (message instanceof ParseFault) {
          out.push({ kind: 'error', error: toFailure(message), fatal: false });
          continue;
        }
        message.body = p.contentLength === 0 ? EMPTY_BODY : raw.subarray(p.headBytes);
        if (this.eagerHeaders !== undefined) for (const name of this.eagerHeaders) message.validateHeader(name);
        out.push({ kind: 'message', message, raw });
      } catch (e) {
        // The frame was cut correctly, so only this message is lost, not the stream.
        out.push({ kind: 'error', error: toFailure(e), fatal: false });
      }
    }
  }
}
