// SIP requests and responses (RFC 3261 §7). A message keeps its header fields as text
// (so a proxy forwards what it received byte for byte) and offers typed views of them,
// parsed on first use and cached until the headers change.

import { AuthValue, parseAuthValues } from './auth-header';
import { canonicalHeaderName, headerKey } from './header-names';
import { HeaderInit, SipHeaders } from './headers';
import { ContactList, NameAddr, parseContactValue, parseNameAddrList, parseNameAddrValue } from './name-addr';
import { badRequest } from './parse-error';
import { CSeq, MediaType, parseContentLength, parseCSeq, parseDeltaSeconds, parseMaxForwards, parseMediaType, parseTokenList, validateCallId } from './simple-headers';
import { formatUri, parseUri, Uri } from './sip-uri';
import { parseViaList, Via } from './via';

const EMPTY_BODY = Buffer.alloc(0);

/** Max-Forwards assumed when a request carries none (RFC 3261 §8.1.1.6 recommends 70). */
export const DEFAULT_MAX_FORWARDS = 70;

function toBody(body: Buffer | string | undefined): Buffer {
  if (body === undefined) return EMPTY_BODY;
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

abstract class SipMessageBase {
  readonly headers: SipHeaders;
  /** The body; after parsing it may share memory with the received buffer. */
  body: Buffer;

  private cacheRev: number;
  private cVia: Via[] | undefined;
  private cFrom: NameAddr | undefined;
  private cTo: NameAddr | undefined;
  private cCallId: string | undefined;
  private cCSeq: CSeq | undefined;
  private lazy: Map<string, unknown> | undefined;

  protected constructor(headers: HeaderInit | SipHeaders | undefined, body: Buffer | string | undefined) {
    this.headers = headers instanceof SipHeaders ? headers : new SipHeaders(headers);
    this.body = toBody(body);
    this.cacheRev = this.headers.version;
    this.cVia = undefined;
    this.cFrom = undefined;
    this.cTo = undefined;
    this.cCallId = undefined;
    this.cCSeq = undefined;
    this.lazy = undefined;
  }

  /** Stores the values the parser already validated. @internal */
  primeCore(via: Via[], from: NameAddr, to: NameAddr, callId: string, cseq: CSeq): void {
    this.cVia = via;
    this.cFrom = from;
    this.cTo = to;
    this.cCallId = callId;
    this.cCSeq = cseq;
  }

  /** Every Via value, topmost first, across all Via rows (RFC 3261 §20.42). */
  via(): readonly Via[] {
    this.fresh();
    if (this.cVia === undefined) {
      const out: Via[] = [];
      for (const f of this.headers.fieldArray()) if (f.key === 'via') parseViaList(f.value, out);
      this.cVia = out;
    }
    return this.cVia;
  }

  topVia(): Via | undefined {
    return this.via()[0];
  }

  /** Throws SipParseError when missing or malformed. */
  from(): NameAddr {
    this.fresh();
    return (this.cFrom ??= parseNameAddrValue(this.required('from', 'From'), 'From'));
  }

  /** Throws SipParseError when missing or malformed. */
  to(): NameAddr {
    this.fresh();
    return (this.cTo ??= parseNameAddrValue(this.required('to', 'To'), 'To'));
  }

  callId(): string {
    this.fresh();
    if (this.cCallId === undefined) {
      const v = this.required('call-id', 'Call-ID');
      validateCallId(v);
      this.cCallId = v;
    }
    return this.cCallId;
  }

  cseq(): CSeq {
    this.fresh();
    return (this.cCSeq ??= parseCSeq(this.required('cseq', 'CSeq')));
  }

  /** 70 when absent (RFC 3261 §8.1.1.6). */
  maxForwards(): number {
    return this.memo('max-forwards', () => {
      const v = this.headers.get('max-forwards');
      return v === undefined ? DEFAULT_MAX_FORWARDS : parseMaxForwards(v);
    });
  }

  /** The Content-Length header as received (serialize() writes the real body length). */
  contentLength(): number | undefined {
    return this.memo('content-length', () => {
      const v = this.headers.get('content-length');
      return v === undefined ? undefined : parseContentLength(v);
    });
  }

  contentType(): MediaType | undefined {
    return this.memo('content-type', () => {
      const v = this.headers.get('content-type');
      return v === undefined ? undefined : parseMediaType(v);
    });
  }

  /** Contact values, `'*'` for the wildcard, empty when absent (RFC 3261 §20.10). */
  contact(): ContactList {
    return this.memo('contact', () => {
      const rows = this.headers.getAll('contact');
      if (rows.length === 1) return parseContactValue(rows[0]);
      const out: NameAddr[] = [];
      for (const r of rows) {
        const v = parseContactValue(r);
        if (v === '*') throw badRequest('malformed Contact header'); // "*" stands alone
        out.push(...v);
      }
      return out;
    });
  }

  /** Route values, topmost first (RFC 3261 §20.34). */
  route(): readonly NameAddr[] {
    return this.nameAddrList('route');
  }

  /** Record-Route values, topmost first (RFC 3261 §20.30). */
  recordRoute(): readonly NameAddr[] {
    return this.nameAddrList('record-route');
  }

  /** Any header made of a name-addr list (Path, Service-Route, P-Asserted-Identity, ...). */
  nameAddrList(name: string): readonly NameAddr[] {
    const key = headerKey(name);
    // own cache key: contact() caches a ContactList under "contact"
    return this.memo('list:' + key, () => {
      const out: NameAddr[] = [];
      const what = canonicalHeaderName(name);
      for (const f of this.headers.fieldArray()) if (f.key === key) parseNameAddrList(f.value, what, out);
      return out;
    });
  }

  /** Expires in seconds, capped at 2**32-1 (RFC 3261 §20.19); undefined when absent. */
  expires(): number | undefined {
    return this.memo('expires', () => {
      const v = this.headers.get('expires');
      return v === undefined ? undefined : parseDeltaSeconds(v, 'Expires');
    });
  }

  require(): readonly string[] {
    return this.tokens('require', 'Require');
  }

  supported(): readonly string[] {
    return this.tokens('supported', 'Supported');
  }

  allow(): readonly string[] {
    return this.tokens('allow', 'Allow');
  }

  proxyRequire(): readonly string[] {
    return this.tokens('proxy-require', 'Proxy-Require');
  }

  unsupported(): readonly string[] {
    return this.tokens('unsupported', 'Unsupported');
  }

  wwwAuthenticate(): readonly AuthValue[] {
    return this.auth('www-authenticate', 'WWW-Authenticate');
  }

  proxyAuthenticate(): readonly AuthValue[] {
    return this.auth('proxy-authenticate', 'Proxy-Authenticate');
  }

  authorization(): readonly AuthValue[] {
    return this.auth('authorization', 'Authorization');
  }

  proxyAuthorization(): readonly AuthValue[] {
    return this.auth('proxy-authorization', 'Proxy-Authorization');
  }

  /**
   * Parses the typed view of one header now, so that a malformed value surfaces as a
   * SipParseError here rather than later. Headers without a typed view are accepted.
   */
  validateHeader(name: string): void {
    switch (headerKey(name)) {
      case 'via':
        this.via();
        return;
      case 'from':
        this.from();
        return;
      case 'to':
        this.to();
        return;
      case 'call-id':
        this.callId();
        return;
      case 'cseq':
        this.cseq();
        return;
      case 'max-forwards':
        this.maxForwards();
        return;
      case 'content-length':
        this.contentLength();
        return;
      case 'content-type':
        this.contentType();
        return;
      case 'contact':
        this.contact();
        return;
      case 'route':
      case 'record-route':
      case 'path':
      case 'service-route':
      case 'p-asserted-identity':
      case 'p-preferred-identity':
        this.nameAddrList(name);
        return;
      case 'expires':
        this.expires();
        return;
      case 'require':
      case 'supported':
      case 'allow':
      case 'proxy-require':
      case 'unsupported':
        this.tokens(headerKey(name), canonicalHeaderName(name));
        return;
      case 'www-authenticate':
      case 'proxy-authenticate':
      case 'authorization':
      case 'proxy-authorization':
        this.auth(headerKey(name), canonicalHeaderName(name));
        return;
      default:
        return;
    }
  }

  private tokens(key: string, what: string): readonly string[] {
    return this.memo(key, () => parseTokenList(this.headers.getAll(key), what));
  }

  private auth(key: string, what: string): readonly AuthValue[] {
    return this.memo(key, () => parseAuthValues(this.headers.getAll(key), what));
  }

  private required(key: string, what: string): string {
    const v = this.headers.get(key);
    if (v === undefined) throw badRequest(`missing ${what} header`);
    return v;
  }

  private memo<T>(key: string, parse: () => T): T {
    this.fresh();
    const cache = (this.lazy ??= new Map<string, unknown>());
    if (cache.has(key)) return cache.get(key) as T;
    const v = parse();
    cache.set(key, v);
    return v;
  }

  private fresh(): void {
    if (this.cacheRev === this.headers.version) return;
    this.cacheRev = this.headers.version;
    this.cVia = undefined;
    this.cFrom = undefined;
    this.cTo = undefined;
    this.cCallId = undefined;
    this.cCSeq = undefined;
    this.lazy = undefined;
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;
  /** Case-sensitive token (RFC 3261 §7.1). */
  method: string;
  private rawUri: string;
  private parsedUri: Uri | undefined;

  /**
   * A request-URI given as text is parsed on first access of `uri`; createRequest()
   * checks it up front.
   */
  constructor(method: string, uri: Uri | string, headers?: HeaderInit | SipHeaders, body?: Buffer | string) {
    super(headers, body);
    this.method = method;
    if (typeof uri === 'string') {
      this.rawUri = uri;
      this.parsedUri = undefined;
    } else {
      this.rawUri = formatUri(uri);
      this.parsedUri = uri;
    }
  }

  /** Stores the Request-URI the parser already parsed. @internal */
  primeUri(uri: Uri): void {
    this.parsedUri = uri;
  }

  get uri(): Uri {
    return (this.parsedUri ??= parseUri(this.rawUri));
  }

  set uri(value: Uri) {
    this.parsedUri = value;
    this.rawUri = formatUri(value);
  }

  /** The Request-URI as it will be written. */
  get uriText(): string {
    return this.rawUri;
  }

  /** A copy with its own headers (the body buffer is shared), e.g. to forward. */
  clone(): SipRequest {
    return new SipRequest(this.method, this.parsedUri ?? this.rawUri, this.headers.clone(), this.body);
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;
  status: number;
  reason: string;

  constructor(status: number, reason: string, headers?: HeaderInit | SipHeaders, body?: Buffer | string) {
    super(headers, body);
    this.status = status;
    this.reason = reason;
  }

  clone(): SipResponse {
    return new SipResponse(this.status, this.reason, this.headers.clone(), this.body);
  }
}

export type SipMessage = SipRequest | SipResponse;

export { EMPTY_BODY };
