// Dialog state (RFC 3261 §12) and its creation by the UAS (§12.1.1) and the UAC (§12.1.2).
// Pure functions over plain data: a dialog is a value, every change returns a new one.

import { SipRequest, SipResponse } from '../message/message';
import { NameAddr, parseNameAddrValue } from '../message/name-addr';
import { formatUri } from '../message/sip-uri';
import { splitList } from '../message/split';

export interface DialogId {
  callId: string;
  /** '' when the peer sent none (RFC 2543 peers omit the From tag, RFC 3261 §12.2.2). */
  localTag: string;
  remoteTag: string;
}

export interface DialogState {
  id: DialogId;
  /** The URI (no display name, no tag) we put in From of our requests. */
  localUri: string;
  /** The URI we put in To of our requests. */
  remoteUri: string;
  /** What we send as Contact: a URI or a name-addr (`<sip:a@b;transport=tcp>;+sip.instance="..."`). */
  localTarget: string;
  /** The peer's Contact URI: the Request-URI of our requests (when routing loosely). */
  remoteTarget: string;
  /** Route header values in the order our requests carry them, each as received. */
  routeSet: string[];
  /** CSeq number of the last request we sent (0 before the first, so it starts at 1). */
  localSeq: number;
  /** CSeq number of the last request the peer sent; undefined until it sends one. */
  remoteSeq: number | undefined;
  secure: boolean;
  state: 'early' | 'confirmed' | 'terminated';
}

export type DialogErrorCode =
  /** Not a 101–299 response, or it lacks the To tag that identifies the dialog. */
  | 'DIALOG.NOT_A_DIALOG_RESPONSE'
  /** The request or response that must name a target carries no usable Contact. */
  | 'DIALOG.NO_CONTACT'
  /** The response or request does not belong to this request or dialog (Call-ID, tags, CSeq). */
  | 'DIALOG.MISMATCH'
  /** Nothing but ACK may be sent in a terminated dialog. */
  | 'DIALOG.TERMINATED'
  /** An argument our caller passed is not usable (branch, CSeq, header, body). */
  | 'DIALOG.BAD_ARGUMENT';

/**
 * What the dialog functions throw for input they cannot turn into a dialog. Malformed
 * header values of the messages themselves surface as SipParseError (answer 400).
 */
export class DialogError extends Error {
  constructor(
    readonly code: DialogErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DialogError';
  }
}

/** Transports that are TLS underneath (RFC 3261 §12.1.1 "arrived over TLS"; WSS, RFC 7118). */
const SECURE_TRANSPORTS = new Set(['TLS', 'WSS']);

export interface DialogOptions {
  /** Overrides the secure flag, when the transport layer knows better than the top Via. */
  readonly secure?: boolean;
}

/**
 * The dialog a UAS creates when it answers `invite` with `response` (a 101–199 carrying a To
 * tag, or a 2xx), RFC 3261 §12.1.1: route set = Record-Route of the request in order, remote
 * target = its Contact URI, remote sequence = its CSeq, local sequence empty (0), remote tag =
 * From tag, local tag = the response's To tag. Secure when the Request-URI is SIPS and the
 * request came over TLS (read from the top Via unless `options.secure` says otherwise).
 */
export function dialogFromUas(invite: SipRequest, response: SipResponse, localContact: string, options?: DialogOptions): DialogState {
  const localTag = dialogTagOf(response);
  if (response.callId() !== invite.callId()) throw new DialogError('DIALOG.MISMATCH', 'the response has another Call-ID than the request');
  checkLocalContact(localContact);
  const contact = firstContact(invite, 'the request');
  invite.recordRoute(); // validates the rows (SipParseError when malformed)
  const recordRoute = rawValues(invite, 'Record-Route');
  return {
    id: { callId: invite.callId(), localTag, remoteTag: invite.from().tag ?? '' },
    localUri: formatUri(invite.to().uri),
    remoteUri: formatUri(invite.from().uri),
    localTarget: localContact,
    remoteTarget: formatUri(contact.uri),
    routeSet: recordRoute,
    localSeq: 0,
    remoteSeq: invite.cseq().seq,
    secure: options?.secure ?? isSecure(invite),
    state: response.status < 200 ? 'early' : 'confirmed',
  };
}

/**
 * The dialog a UAC creates from a response to its `invite` (a 101–199 carrying a To tag, or
 * a 2xx), RFC 3261 §12.1.2: route set = Record-Route of the response in reverse order, remote
 * target = its Contact URI, local sequence = the request's CSeq, remote sequence empty, local
 * tag = From tag, remote tag = the response's To tag.
 *
 * Deviation: a provisional response without Contact still creates the early dialog, with the
 * Request-URI as remote target (seen from gateways that omit it in 183); a 2xx without
 * Contact is refused.
 */
export function dialogFromUac(invite: SipRequest, response: SipResponse, options?: DialogOptions): DialogState {
  const remoteTag = dialogTagOf(response);
  if (response.callId() !== invite.callId() || response.from().tag !== invite.from().tag) {
    throw new DialogError('DIALOG.MISMATCH', 'the response does not answer this request (Call-ID or From tag differ)');
  }
  const rc = response.cseq();
  const qc = invite.cseq();
  if (rc.seq !== qc.seq || rc.method !== qc.method) throw new DialogError('DIALOG.MISMATCH', 'the response does not answer this request (CSeq differs)');
  const contacts = response.contact();
  let remoteTarget: string;
  if (contacts !== '*' && contacts.length > 0) remoteTarget = formatUri(contacts[0].uri);
  else if (response.status < 200) remoteTarget = invite.uriText;
  else throw new DialogError('DIALOG.NO_CONTACT', `a ${response.status} that creates a dialog must carry a Contact (RFC 3261 §12.1.2)`);
  const ours = invite.contact();
  const localContact = rawValues(invite, 'Contact')[0];
  if (ours === '*' || ours.length === 0 || localContact === undefined) throw new DialogError('DIALOG.NO_CONTACT', 'the request carries no Contact (RFC 3261 §8.1.1.8)');
  return {
    id: { callId: invite.callId(), localTag: invite.from().tag ?? '', remoteTag },
    localUri: formatUri(invite.from().uri),
    remoteUri: formatUri(invite.to().uri),
    localTarget: localContact,
    remoteTarget,
    routeSet: routeSetFromResponse(response),
    localSeq: qc.seq,
    remoteSeq: undefined,
    secure: options?.secure ?? isSecure(invite),
    state: response.status < 200 ? 'early' : 'confirmed',
  };
}

/**
 * The dialog a request belongs to. A request we received (`asUas`) names us in To and the
 * peer in From; one we sent, the other way round (RFC 3261 §12). Missing tags are ''.
 */
export function dialogIdOfRequest(request: SipRequest, asUas: boolean): DialogId {
  const from = request.from().tag ?? '';
  const to = request.to().tag ?? '';
  return asUas ? { callId: request.callId(), localTag: to, remoteTag: from } : { callId: request.callId(), localTag: from, remoteTag: to };
}

/** The dialog of a response to a request we sent (we are the UAC: our tag is in From). */
export function dialogIdOfResponse(response: SipResponse): DialogId {
  return { callId: response.callId(), localTag: response.from().tag ?? '', remoteTag: response.to().tag ?? '' };
}

/** A string key for maps of dialogs. Call-IDs and tags hold no space (RFC 3261 §25.1). */
export function dialogKey(id: DialogId): string {
  return `${id.callId} ${id.localTag} ${id.remoteTag}`;
}

export function sameDialog(a: DialogId, b: DialogId): boolean {
  return a.callId === b.callId && a.localTag === b.localTag && a.remoteTag === b.remoteTag;
}

/** Record-Route of a response, reversed (RFC 3261 §12.1.2). @internal */
export function routeSetFromResponse(response: SipResponse): string[] {
  response.recordRoute(); // validates the rows (SipParseError when malformed)
  return rawValues(response, 'Record-Route').reverse();
}

function dialogTagOf(response: SipResponse): string {
  if (response.status <= 100 || response.status >= 300) throw new DialogError('DIALOG.NOT_A_DIALOG_RESPONSE', `a ${response.status} response does not create a dialog`);
  const tag = response.to().tag;
  if (tag === undefined || tag === '') throw new DialogError('DIALOG.NOT_A_DIALOG_RESPONSE', `a ${response.status} without a To tag does not create a dialog (RFC 3261 §12.1)`);
  return tag;
}

function firstContact(message: SipRequest | SipResponse, what: string): NameAddr {
  const c = message.contact();
  if (c === '*' || c.length === 0) throw new DialogError('DIALOG.NO_CONTACT', `${what} carries no Contact URI (RFC 3261 §12.1)`);
  return c[0];
}

function checkLocalContact(localContact: string): void {
  try {
    parseNameAddrValue(localContact, 'Contact');
  } catch {
    throw new DialogError('DIALOG.BAD_ARGUMENT', `local contact ${JSON.stringify(localContact)} is not a URI or name-addr`);
  }
}

/** The list elements of a header as received: a proxy's Record-Route is echoed byte for byte. */
function rawValues(message: SipRequest | SipResponse, name: string): string[] {
  const out: string[] = [];
  for (const row of message.headers.getAll(name)) out.push(...splitList(row));
  return out;
}

function isSecure(request: SipRequest): boolean {
  const uri = request.uri;
  const via = request.topVia();
  return uri.kind === 'sip' && uri.scheme === 'sips' && via !== undefined && SECURE_TRANSPORTS.has(via.transport);
}
