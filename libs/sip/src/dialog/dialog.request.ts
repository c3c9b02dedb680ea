// Requests within a dialog (RFC 3261 §12.2.1.1).

import { headerKey, isToken } from '../message/header-names';
import { DEFAULT_MAX_FORWARDS, SipRequest } from '../message/message';
import { createRequest } from '../message/message.factory';
import { parseNameAddrValue } from '../message/name-addr';
import { formatUri, SipUri } from '../message/sip-uri';
import { formatVia, parseViaList } from '../message/via';
import { DialogError, DialogState } from './dialog.state';

/** Requests that refresh the target and so carry our Contact (RFC 3261 §12.2; RFC 3311; RFC 6665 §3.1–3.2; RFC 3515). */
export const TARGET_REFRESH_METHODS: ReadonlySet<string> = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

/** Headers the dialog writes; options.headers may not replace them. */
const DIALOG_HEADERS = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'route', 'content-length']);

/** The magic cookie of an RFC 3261 branch (§8.1.1.7). */
const BRANCH_COOKIE = 'z9hG4bK';

const MAX_CSEQ = 0x7fffffff; // below 2**31 (RFC 3261 §8.1.1.5)

export interface InDialogRequestOptions {
  /** Our sent-by for the Via: protocol is the transport ("UDP", "TCP", "TLS", "WS", "WSS"). */
  readonly via: { readonly protocol: string; readonly host: string; readonly port?: number; readonly rport?: boolean };
  /** A fresh branch starting with z9hG4bK; for CANCEL, the branch of the request it cancels (RFC 3261 §9.1). */
  readonly branch: string;
  readonly body?: Buffer | string;
  /** Required with a non-empty body. */
  readonly contentType?: string;
  /** Extra headers; one named like a header we write (Contact, Max-Forwards, ...) replaces ours. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * ACK and CANCEL: the CSeq number of the INVITE they belong to (default: the local
   * sequence number, i.e. the last request sent). Other methods: a number above the local
   * sequence number, to skip ahead; default local sequence + 1.
   */
  readonly cseq?: number;
}

/**
 * Builds a request within `dialog` (RFC 3261 §12.2.1.1) and returns it with the dialog's new
 * state (the local sequence number moved on; nothing else changes; the input is not touched).
 *
 * - To = remote URI + remote tag, From = local URI + local tag (tags left out when empty),
 *   Call-ID of the dialog, CSeq = local sequence + 1, except ACK and CANCEL which reuse the
 *   INVITE's number and leave the local sequence alone.
 * - Request-URI and Route from the remote target and the route set: no route set → remote
 *   target, no Route; first route loose (`;lr`) → remote target, Route = the route set;
 *   first route strict → Request-URI = that route's URI (without the parameters a
 *   Request-URI may not carry: `method` and URI headers, §19.1.1), Route = the rest of the
 *   route set then the remote target.
 * - Max-Forwards 70, one Via with the given sent-by and branch, Contact = local target on
 *   target refresh requests (INVITE, UPDATE, SUBSCRIBE, NOTIFY, REFER).
 *
 * Throws DialogError for a terminated dialog (ACK excepted) and for unusable arguments.
 */
export function createInDialogRequest(dialog: DialogState, method: string, options: InDialogRequestOptions): { request: SipRequest; dialog: DialogState } {
  if (!isToken(method)) throw new DialogError('DIALOG.BAD_ARGUMENT', `invalid SIP method ${JSON.stringify(method)}`);
  if (dialog.state === 'terminated' && method !== 'ACK') throw new DialogError('DIALOG.TERMINATED', `cannot send ${method} in a terminated dialog`);
  const reuse = method === 'ACK' || method === 'CANCEL';
  let seq: number;
  let localSeq = dialog.localSeq;
  if (reuse) {
    seq = options.cseq ?? dialog.localSeq;
  } else {
    seq = options.cseq ?? dialog.localSeq + 1;
    if (seq <= dialog.localSeq) throw new DialogError('DIALOG.BAD_ARGUMENT', `CSeq ${seq} is not above the local sequence number ${dialog.localSeq} (RFC 3261 §12.2.1.1)`);
    localSeq = seq;
  }
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_CSEQ) throw new DialogError('DIALOG.BAD_ARGUMENT', `CSeq ${seq} out of range (0 to 2^31-1)`);

  const via = viaValue(options);
  const { requestUri, routes } = routing(dialog);
  const headers: [string, string][] = [
    ['Via', via],
    ['Max-Forwards', String(DEFAULT_MAX_FORWARDS)],
    ...routes.map((r): [string, string] => ['Route', r]),
    ['From', withTag(dialog.localUri, dialog.id.localTag)],
    ['To', withTag(dialog.remoteUri, dialog.id.remoteTag)],
    ['Call-ID', dialog.id.callId],
    ['CSeq', `${seq} ${method}`],
  ];
  if (TARGET_REFRESH_METHODS.has(method)) headers.push(['Contact', asNameAddr(dialog.localTarget)]);
  const body = options.body;
  const hasBody = body !== undefined && body.length > 0;
  if (hasBody) {
    if (options.contentType === undefined || options.contentType === '') throw new DialogError('DIALOG.BAD_ARGUMENT', 'a body needs a contentType');
    headers.push(['Content-Type', options.contentType]);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const key = safeKey(name);
    if (DIALOG_HEADERS.has(key)) throw new DialogError('DIALOG.BAD_ARGUMENT', `header ${name} is written by the dialog and cannot be given`);
    const i = headers.findIndex(([n]) => safeKey(n) === key);
    if (i >= 0) headers.splice(i, 1);
    headers.push([name, value]);
  }

  let request: SipRequest;
  try {
    request = createRequest({ method, uri: requestUri, headers, body: hasBody ? body : undefined });
  } catch (e) {
    throw new DialogError('DIALOG.BAD_ARGUMENT', `cannot build the ${method}: ${(e as Error).message}`);
  }
  return { request, dialog: { ...dialog, routeSet: [...dialog.routeSet], localSeq } };
}

/** Request-URI and Route values (RFC 3261 §12.2.1.1). @internal */
export function routing(dialog: DialogState): { requestUri: string; routes: string[] } {
  if (dialog.routeSet.length === 0) return { requestUri: dialog.remoteTarget, routes: [] };
  const first = parseNameAddrValue(dialog.routeSet[0], 'Route');
  const loose = first.uri.kind === 'sip' && first.uri.params.has('lr');
  if (loose) return { requestUri: dialog.remoteTarget, routes: [...dialog.routeSet] };
  // strict router (RFC 2543): it routes on the Request-URI, so the target travels as the last Route
  return { requestUri: formatUri(first.uri.kind === 'sip' ? stripForRequestUri(first.uri) : first.uri), routes: [...dialog.routeSet.slice(1), `<${dialog.remoteTarget}>`] };
}

/** Drops what RFC 3261 §19.1.1 (Table 1) does not allow in a Request-URI: the method parameter and headers. */
function stripForRequestUri(uri: SipUri): SipUri {
  if (!uri.params.has('method') && uri.headers.size === 0) return uri;
  const params = new Map(uri.params);
  params.delete('method');
  return { ...uri, params, headers: new Map() };
}

function withTag(uri: string, tag: string): string {
  return tag === '' ? `<${uri}>` : `<${uri}>;tag=${tag}`;
}

function asNameAddr(target: string): string {
  return target.includes('<') ? target : `<${target}>`;
}

function viaValue(options: InDialogRequestOptions): string {
  const { branch, via } = options;
  if (!branch.startsWith(BRANCH_COOKIE) || branch.length === BRANCH_COOKIE.length || !isToken(branch)) {
    throw new DialogError('DIALOG.BAD_ARGUMENT', `branch ${JSON.stringify(branch)} must be a token starting with ${BRANCH_COOKIE} (RFC 3261 §8.1.1.7)`);
  }
  const text = formatVia({ transport: via.protocol, host: via.host, port: via.port, branch, rport: via.rport });
  try {
    if (parseViaList(text).length !== 1) throw new Error('more than one Via');
  } catch {
    throw new DialogError('DIALOG.BAD_ARGUMENT', `Via ${JSON.stringify(text)} is not valid`);
  }
  return text;
}

function safeKey(name: string): string {
  if (!isToken(name)) throw new DialogError('DIALOG.BAD_ARGUMENT', `invalid SIP header name ${JSON.stringify(name)}`);
  return headerKey(name);
}
