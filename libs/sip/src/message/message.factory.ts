// Building requests and responses. createResponse() follows RFC 3261 §8.2.6.

import { makeField, HeaderInit, SipHeaderField, SipHeaders } from './headers';
import { SipRequest, SipResponse } from './message';
import { isToken } from './header-names';
import { parseUri, Uri } from './sip-uri';

/** Reason phrases of RFC 3261 §21 and of the extensions met in practice. */
export const REASON_PHRASES: Readonly<Record<number, string>> = Object.freeze({
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  199: 'Early Dialog Terminated',
  200: 'OK',
  202: 'Accepted',
  204: 'No Notification',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  412: 'Conditional Request Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  417: 'Unknown Resource-Priority',
  420: 'Bad Extension',
  421: 'Extension Required',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  428: 'Use Identity Header',
  429: 'Provide Referrer Identity',
  430: 'Flow Failed',
  433: 'Anonymity Disallowed',
  436: 'Bad Identity-Info',
  437: 'Unsupported Certificate',
  438: 'Invalid Identity Header',
  439: 'First Hop Lacks Outbound Support',
  440: 'Max-Breadth Exceeded',
  469: 'Bad Info Package',
  470: 'Consent Needed',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  493: 'Undecipherable',
  494: 'Security Agreement Required',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  555: 'Push Notification Service Not Supported',
  580: 'Precondition Failure',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
  607: 'Unwanted',
  608: 'Rejected',
});

export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? REASON_PHRASES[Math.floor(status / 100) * 100] ?? '';
}

export interface ResponseOptions {
  /**
   * To-tag for a request without one. RFC 3261 §8.2.6.2: the UAS MUST add a tag to a
   * response (100 Trying excepted), so pass one from your injected id generator; none is
   * invented here.
   */
  readonly toTag?: string;
  readonly body?: Buffer | string;
  /**
   * Copy Record-Route rows (RFC 3261 §12.1.1 for responses that set up a dialog). Defaults
   * to true for 101–299 responses to INVITE, SUBSCRIBE and REFER.
   */
  readonly copyRecordRoute?: boolean;
}

const DIALOG_METHODS = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);

function appendInit(into: SipHeaderField[], init: HeaderInit): void {
  if (Array.isArray(init)) {
    for (const [name, value] of init as ReadonlyArray<readonly [string, string]>) into.push(makeField(name, value));
    return;
  }
  for (const [name, value] of Object.entries(init as Readonly<Record<string, string | number | readonly string[]>>)) {
    if (typeof value === 'string' || typeof value === 'number') into.push(makeField(name, String(value)));
    else for (const v of value) into.push(makeField(name, v));
  }
}

/**
 * A response to `request` (RFC 3261 §8.2.6): Via rows copied in order, From, To (with
 * `opts.toTag` added when the request had no tag and status > 100), Call-ID and CSeq
 * copied; for 100 Trying, Timestamp copied too (§8.2.6.1). `extraHeaders` follow.
 */
export function createResponse(request: SipRequest, status: number, reason?: string, extraHeaders?: HeaderInit, opts?: ResponseOptions): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699) throw new RangeError(`SIP status out of range: ${status}`);
  const fields: SipHeaderField[] = [];
  const src = request.headers.fieldArray();
  const copyRR = opts?.copyRecordRoute ?? (status > 100 && status < 300 && DIALOG_METHODS.has(request.method));
  let from: SipHeaderField | undefined;
  let to: SipHeaderField | undefined;
  let callId: SipHeaderField | undefined;
  let cseq: SipHeaderField | undefined;
  let timestamp: SipHeaderField | undefined;
  const recordRoutes: SipHeaderField[] = [];
  for (let i = 0; i < src.length; i++) {
    const f = src[i];
    switch (f.key) {
      case 'via':
        fields.push(f); // rows are immutable, so they can be shared
        break;
      case 'from':
        from ??= f;
        break;
      case 'to':
        to ??= f;
        break;
      case 'call-id':
        callId ??= f;
        break;
      case 'cseq':
        cseq ??= f;
        break;
      case 'timestamp':
        timestamp ??= f;
        break;
      case 'record-route':
        if (copyRR) recordRoutes.push(f);
        break;
    }
  }
  if (from !== undefined) fields.push(from);
  if (to !== undefined) {
    const tag = opts?.toTag;
    if (tag !== undefined && status > 100 && request.to().tag === undefined) {
      if (!isToken(tag)) throw new TypeError(`invalid To tag ${JSON.stringify(tag)}`);
      fields.push({ name: to.name, key: 'to', value: to.value + ';tag=' + tag });
    } else {
      fields.push(to);
    }
  }
  if (callId !== undefined) fields.push(callId);
  if (cseq !== undefined) fields.push(cseq);
  for (const rr of recordRoutes) fields.push(rr);
  if (timestamp !== undefined && status === 100) fields.push(timestamp);
  if (extraHeaders !== undefined) appendInit(fields, extraHeaders);
  return new SipResponse(status, reason ?? reasonPhrase(status), SipHeaders.fromParsedFields(fields), opts?.body);
}

export interface RequestInit {
  readonly method: string;
  readonly uri: Uri | string;
  readonly headers?: HeaderInit;
  readonly body?: Buffer | string;
}

/** A request from parts; the method and a Request-URI given as text are checked. */
export function createRequest(init: RequestInit): SipRequest {
  if (!isToken(init.method)) throw new TypeError(`invalid SIP method ${JSON.stringify(init.method)}`);
  const req = new SipRequest(init.method, init.uri, init.headers, init.body);
  if (typeof init.uri === 'string') req.primeUri(parseUri(init.uri)); // keeps the text as given
  return req;
}
