// parseMessage(): one SIP message from a datagram, or from a frame the stream framer cut.
// The start line and the header names are scanned eagerly with indexOf/charCodeAt; the
// headers every transaction needs (Via, From, To, Call-ID, CSeq, Max-Forwards,
// Content-Length) are checked at once, the others are parsed when first asked for.

import { C_TOKEN, CHARS, CR, HT, LF, SP } from './chars';
import { HEADER_MATCH, HeaderDef, isToken, matchHeaderAt, Slot } from './header-names';
import { SipHeaderField, SipHeaders } from './headers';
import { resolveLimits, SipLimits } from './limits';
import { EMPTY_BODY, SipMessage, SipRequest, SipResponse } from './message';
import { NameAddr, parseNameAddrValue } from './name-addr';
import { badRequestFault, ParseFault, SipParseError, SipParseFailure, TOO_LARGE_FAULT } from './parse-error';
import { parseBoundedInt, parseCSeq, parseMaxForwards, validateCallId } from './simple-headers';
import { parseUriRange } from './sip-uri';
import { parseViaList, Via } from './via';

export interface ParseOptions {
  /**
   * 'datagram' (default, UDP): the body is what Content-Length says, extra bytes are
   * dropped, and without Content-Length the body runs to the end (RFC 3261 §18.3).
   * 'stream' (TCP/TLS/WS frame): Content-Length is mandatory.
   */
  readonly framing?: 'datagram' | 'stream';
  readonly limits?: Partial<SipLimits>;
  /** More headers to validate during parsing (e.g. ['Contact', 'Route']); see validateHeader(). */
  readonly eagerHeaders?: readonly string[];
}

export type ParseResult = { readonly ok: true; readonly message: SipMessage } | { readonly ok: false; readonly error: SipParseFailure };

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const LFLF = Buffer.from('\n\n', 'latin1');

/**
 * Parses one SIP message. Never throws: every fault becomes `{ ok: false, error }` whose
 * status and reason can be sent back as they are.
 */
export function parseMessage(input: Buffer | string, opts?: ParseOptions): ParseResult {
  try {
    const r = parseInner(input, opts);
    return r instanceof ParseFault ? { ok: false, error: { status: r.status, reason: r.reason } } : { ok: true, message: r };
  } catch (e) {
    if (e instanceof SipParseError) return { ok: false, error: e.toFailure() };
    // A bug of ours must not take the transport down with it: report it as a bad request.
    return { ok: false, error: { status: 400, reason: 'Bad Request - malformed message' } };
  }
}

function parseInner(input: Buffer | string, opts: ParseOptions | undefined): SipMessage | ParseFault {
  const limits = resolveLimits(opts?.limits);
  const stream = opts?.framing === 'stream';
  let text: string;
  let body: Buffer | ParseFault;
  let scan: HeadScan | ParseFault;

  if (typeof input === 'string') {
    // a UTF-16 unit is at most 3 UTF-8 bytes: count bytes only when it could matter
    if (input.length * 3 > limits.maxMessageBytes && Buffer.byteLength(input, 'utf8') > limits.maxMessageBytes) return TOO_LARGE_FAULT;
    // RFC 3261 §7.5: CRLFs before the start line are ignored
    let start = 0;
    while (start < input.length && (input.charCodeAt(start) === CR || input.charCodeAt(start) === LF)) start++;
    if (start === input.length) return badRequestFault('empty message');
    let end = input.indexOf('\r\n\r\n', start);
    let sep = 4;
    if (end < 0) {
      end = input.indexOf('\n\n', start);
      sep = 2;
      if (end < 0) return badRequestFault('header section not terminated by an empty line');
    }
    text = input.slice(start, end + sep / 2);
    scan = scanHead(text, limits);
    if (scan instanceof ParseFault) return scan;
    const rest = Buffer.from(input.slice(end + sep), 'utf8');
    body = frameBody(rest, 0, rest.length, scan.contentLength, stream);
  } else {
    const total = input.length;
    let start = 0;
    while (start < total && (input[start] === CR || input[start] === LF)) start++;
    if (start === total) return badRequestFault('empty message');
    if (total - start > limits.maxMessageBytes) return TOO_LARGE_FAULT;
    let end = input.indexOf(CRLFCRLF, start);
    let sep = 4;
    if (end < 0) {
      // Bare LF line ends are tolerated (deviation: RFC 3261 §7 requires CRLF).
      end = input.indexOf(LFLF, start);
      sep = 2;
      if (end < 0) return badRequestFault('header section not terminated by an empty line');
    }
    text = input.toString('utf8', start, end + sep / 2);
    scan = scanHead(text, limits);
    if (scan instanceof ParseFault) return scan;
    body = frameBody(input, end + sep, total, scan.contentLength, stream);
  }

  if (body instanceof ParseFault) return body;
  const message = buildMessage(scan);
  if (message instanceof ParseFault) return message;
  message.body = body;
  const eager = opts?.eagerHeaders;
  if (eager !== undefined) for (const name of eager) message.validateHeader(name);
  return message;
}

/** RFC 3261 §18.3 framing of the body inside one datagram or stream frame. */
function frameBody(buf: Buffer, start: number, end: number, field: SipHeaderField | undefined, stream: boolean): Buffer | ParseFault {
  const available = end - start;
  if (field === undefined) {
    // "a missing Content-Length on a stream-oriented transport" is a 400 (RFC 3261 §18.3);
    // on UDP "the message body is assumed to end at the end of the transport packet".
    if (stream) return badRequestFault('missing Content-Length header');
    return available === 0 ? EMPTY_BODY : buf.subarray(start, end);
  }
  // "If the transport packet ends before the end of the message body, this is considered
  // an error" — 400 for a request; a response is to be discarded (RFC 3261 §18.3).
  const contentLength = parseContentLengthValue(field.value);
  if (contentLength < 0) return badRequestFault('malformed Content-Length header');
  if (contentLength > available) return badRequestFault('Content-Length larger than message body');
  // Bytes past Content-Length "MUST be discarded" (RFC 3261 §18.3).
  return contentLength === 0 ? EMPTY_BODY : buf.subarray(start, start + contentLength);
}

/** Content-Length = 1*DIGIT (RFC 3261 §20.14), bounded; -1 when malformed. @internal */
export function parseContentLengthValue(value: string): number {
  return parseBoundedInt(value, 0x7fffffff);
}

/** What one pass over the header section finds. @internal */
export class HeadScan {
  startLineEnd = 0;
  readonly fields: SipHeaderField[] = [];
  vias: SipHeaderField[] | undefined = undefined;
  from: SipHeaderField | undefined = undefined;
  to: SipHeaderField | undefined = undefined;
  callId: SipHeaderField | undefined = undefined;
  cseq: SipHeaderField | undefined = undefined;
  maxForwards: SipHeaderField | undefined = undefined;
  contentLength: SipHeaderField | undefined = undefined;
  /** Name of a single-valued header that appeared twice. */
  duplicate: string | undefined = undefined;

  constructor(readonly text: string) {}

  /** False when an unknown name is not a token. */
  add(name: string, def: HeaderDef | undefined, value: string): boolean {
    if (def === undefined) {
      if (!isToken(name)) return false;
      this.fields.push({ name, key: name.toLowerCase(), value });
      return true;
    }
    const field: SipHeaderField = { name, key: def.key, value };
    this.fields.push(field);
    switch (def.slot) {
      case Slot.None:
        return true;
      case Slot.Via:
        if (this.vias === undefined) this.vias = [field];
        else this.vias.push(field);
        return true;
      case Slot.From:
        if (this.from !== undefined) this.duplicate ??= def.canonical;
        else this.from = field;
        return true;
      case Slot.To:
        if (this.to !== undefined) this.duplicate ??= def.canonical;
        else this.to = field;
        return true;
      case Slot.CallId:
        if (this.callId !== undefined) this.duplicate ??= def.canonical;
        else this.callId = field;
        return true;
      case Slot.CSeq:
        if (this.cseq !== undefined) this.duplicate ??= def.canonical;
        else this.cseq = field;
        return true;
      case Slot.MaxForwards:
        if (this.maxForwards !== undefined) this.duplicate ??= def.canonical;
        else this.maxForwards = field;
        return true;
      case Slot.ContentLength:
        if (this.contentLength !== undefined) this.duplicate ??= def.canonical;
        else this.contentLength = field;
        return true;
    }
    return true;
  }
}

/**
 * Splits the header section (start line included, ending with its last line break) into
 * fields: names looked up, values trimmed and unfolded.
 * @internal
 */
export function scanHead(text: string, limits: SipLimits): HeadScan | ParseFault {
  const scan = new HeadScan(text);
  const n = text.length;
  const maxLine = limits.maxLineLength;
  let nl = text.indexOf('\n');
  if (nl < 0) nl = n;
  let le = nl > 0 && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
  if (le > maxLine) return badRequestFault('line too long');
  scan.startLineEnd = le;

  // A CR is only allowed right before LF (RFC 3261 §7: lines end in CRLF). A bare CR kept
  // in a value could read as a line break to the next hop, so it is refused. nextCr walks
  // the CRs once, alongside the line scan.
  let nextCr = text.indexOf('\r');
  if (nextCr >= 0 && nextCr < le) return badRequestFault('malformed Request-Line');
  if (nextCr === le) nextCr = text.indexOf('\r', le + 1);
  let p = nl + 1;
  let name = '';
  let def: HeaderDef | undefined;
  let value = '';
  let pending = false;
  let count = 0;
  while (p < n) {
    nl = text.indexOf('\n', p);
    if (nl < 0) nl = n;
    le = nl > p && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
    if (le - p > maxLine) return badRequestFault('line too long');
    if (nextCr >= 0 && nextCr <= le) {
      if (nextCr < le) return badRequestFault('malformed header line');
      nextCr = text.indexOf('\r', le + 1);
    }
    const c = text.charCodeAt(p);
    if (c === SP || c === HT) {
      // LWS continuation line: "replaced with a single SP" (RFC 3261 §7.3.1)
      if (!pending) return badRequestFault('malformed header line');
      let a = p;
      while (a < le && isSpace(text.charCodeAt(a))) a++;
      let b = le;
      while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
      if (b > a) value = value.length === 0 ? text.slice(a, b) : value + ' ' + text.slice(a, b);
    } else {
      if (pending) {
        const f = commit(scan, name, def, value, maxLine);
        if (f !== undefined) return f;
      }
      const colon = text.indexOf(':', p);
      if (colon < 0 || colon >= le) return badRequestFault('malformed header line');
      // field-name HCOLON: whitespace may sit before the colon (RFC 3261 §7.3.1)
      let ne = colon;
      while (ne > p && isSpace(text.charCodeAt(ne - 1))) ne--;
      if (ne === p) return badRequestFault('malformed header name');
      def = matchHeaderAt(text, p, ne);
      name = def !== undefined && HEADER_MATCH.exact ? def.canonical : text.slice(p, ne);
      let a = colon + 1;
      while (a < le && isSpace(text.charCodeAt(a))) a++;
      let b = le;
      while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
      value = text.slice(a, b);
      pending = true;
      if (++count > limits.maxHeaders) return badRequestFault('too many header fields');
    }
    p = nl + 1;
  }
  if (pending) {
    const f = commit(scan, name, def, value, maxLine);
    if (f !== undefined) return f;
  }
  return scan;
}

/**
 * Adds one header. Its logical line — name, ": ", unfolded value, as serialize() writes it —
 * must also fit maxLineLength, or folding would smuggle a longer line past the limit and
 * our own output would be refused by the next parser.
 */
function commit(scan: HeadScan, name: string, def: HeaderDef | undefined, value: string, maxLine: number): ParseFault | undefined {
  if (name.length + 2 + value.length > maxLine) return badRequestFault('line too long');
  return scan.add(name, def, value) ? undefined : badRequestFault('malformed header name');
}

function isSpace(c: number): boolean {
  return c === SP || c === HT;
}

/**
 * Start line and mandatory headers → a message (body left empty). Faults found here are
 * returned; the value parsers it calls throw SipParseError.
 * @internal
 */
export function buildMessage(scan: HeadScan): SipMessage | ParseFault {
  const text = scan.text;
  const le = scan.startLineEnd;
  let message: SipMessage;
  let method: string | undefined;

  // RFC 3261 §7.1 / §7.2: a Status-Line starts with the SIP-Version, a Request-Line with a method
  if (le >= 4 && (text.charCodeAt(0) | 0x20) === 0x73 && (text.charCodeAt(1) | 0x20) === 0x69 && (text.charCodeAt(2) | 0x20) === 0x70 && text.charCodeAt(3) === 0x2f) {
    const res = parseStatusLine(text, le, scan.fields);
    if (res instanceof ParseFault) return res;
    message = res;
  } else {
    const sp1 = text.indexOf(' ', 0);
    if (sp1 <= 0 || sp1 >= le) return badRequestFault('malformed Request-Line');
    for (let i = 0; i < sp1; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f || (CHARS[c] & C_TOKEN) === 0) return badRequestFault('malformed Request-Line');
    }
    // Request-Line = Method SP Request-URI SP SIP-Version: exactly one SP each, and no
    // whitespace inside the URI (RFC 3261 §7.1; RFC 4475 §3.1.2.11, §3.1.2.12)
    const sp2 = text.lastIndexOf(' ', le - 1);
    if (sp2 <= sp1 + 1 || text.indexOf(' ', sp1 + 1) !== sp2) return badRequestFault('malformed Request-Line');
    for (let i = sp1 + 1; i < sp2; i++) if (text.charCodeAt(i) === HT) return badRequestFault('malformed Request-Line');
    const bad = checkVersion(text, sp2 + 1, le, 'Request-Line');
    if (bad !== undefined) return bad;
    method = text.slice(0, sp1);
    const uriText = text.slice(sp1 + 1, sp2);
    const uri = parseUriRange(text, sp1 + 1, sp2, 'Request-URI');
    // headers are "not allowed" in a Request-URI (RFC 3261 §19.1.1 table; RFC 4475 §3.1.2.11)
    if (uri.kind === 'sip' && uri.headers.size > 0) return badRequestFault('malformed Request-URI');
    const req = new SipRequest(method, uriText, SipHeaders.fromParsedFields(scan.fields));
    req.primeUri(uri);
    message = req;
  }

  if (scan.duplicate !== undefined) return badRequestFault(`multiple ${scan.duplicate} headers`);
  // RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via are mandatory; a missing
  // Max-Forwards is tolerated and read as 70 (see DEFAULT_MAX_FORWARDS).
  const vias = scan.vias;
  if (vias === undefined) return badRequestFault('missing Via header');
  if (scan.from === undefined) return badRequestFault('missing From header');
  if (scan.to === undefined) return badRequestFault('missing To header');
  if (scan.callId === undefined) return badRequestFault('missing Call-ID header');
  if (scan.cseq === undefined) return badRequestFault('missing CSeq header');

  const via: Via[] = [];
  for (let i = 0; i < vias.length; i++) parseViaList(vias[i].value, via);
  const from: NameAddr = parseNameAddrValue(scan.from.value, 'From');
  const to: NameAddr = parseNameAddrValue(scan.to.value, 'To');
  const callId = scan.callId.value;
  validateCallId(callId);
  const cseq = parseCSeq(scan.cseq.value);
  // "the CSeq method MUST match the method of the request" (RFC 3261 §8.1.1.5, RFC 4475 §3.1.2.13)
  if (method !== undefined && cseq.method !== method) return badRequestFault('CSeq method does not match request method');
  if (scan.maxForwards !== undefined) parseMaxForwards(scan.maxForwards.value);
  message.primeCore(via, from, to, callId, cseq);
  return message;
}

function parseStatusLine(text: string, le: number, fields: SipHeaderField[]): SipResponse | ParseFault {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2)
  const sp1 = text.indexOf(' ', 0);
  if (sp1 < 0 || sp1 >= le) return badRequestFault('malformed Status-Line');
  const bad = checkVersion(text, 0, sp1, 'Status-Line');
  if (bad !== undefined) return bad;
  const d0 = text.charCodeAt(sp1 + 1) - 0x30;
  const d1 = text.charCodeAt(sp1 + 2) - 0x30;
  const d2 = text.charCodeAt(sp1 + 3) - 0x30;
  if (!(d0 >= 1 && d0 <= 6 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9) || sp1 + 4 > le) return badRequestFault('malformed Status-Line');
  const status = d0 * 100 + d1 * 10 + d2;
  let reason = '';
  if (sp1 + 4 < le) {
    if (text.charCodeAt(sp1 + 4) !== SP) return badRequestFault('malformed Status-Line');
    reason = text.slice(sp1 + 5, le);
  }
  // An empty Reason-Phrase is legal (RFC 4475 §3.1.1.13); a missing SP before it is tolerated.
  return new SipResponse(status, reason, SipHeaders.fromParsedFields(fields));
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive (RFC 3261 §7.1). */
function checkVersion(text: string, a: number, b: number, line: string): ParseFault | undefined {
  if (
    b - a === 7 &&
    (text.charCodeAt(a) | 0x20) === 0x73 &&
    (text.charCodeAt(a + 1) | 0x20) === 0x69 &&
    (text.charCodeAt(a + 2) | 0x20) === 0x70 &&
    text.charCodeAt(a + 3) === 0x2f &&
    text.charCodeAt(a + 4) === 0x32 &&
    text.charCodeAt(a + 5) === 0x2e &&
    text.charCodeAt(a + 6) === 0x30
  ) {
    return undefined;
  }
  // A well-formed version other than 2.0 gets 505 (RFC 4475 §3.1.2.16)
  if (/^SIP\/\d+\.\d+$/i.test(text.slice(a, b))) return new ParseFault(505, 'Version Not Supported');
  return badRequestFault(`malformed ${line}`);
}

/**
 * Is this datagram a keep-alive, i.e. only CR and LF bytes (RFC 5626 §3.5.1 "double CRLF")?
 * Check before parseMessage(), which calls an empty message a 400.
 */
export function isKeepAlive(input: Buffer | string): boolean {
  if (input.length === 0) return false;
  for (let i = 0; i < input.length; i++) {
    const c = typeof input === 'string' ? input.charCodeAt(i) : input[i];
    if (c !== CR && c !== LF) return false;
  }
  return true;
}
