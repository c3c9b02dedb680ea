// What a dialog absorbs from the peer: requests within it (RFC 3261 §12.2.2) and responses to
// our requests within it (§12.2.1.2, §13.2.2.4, §15.1.1).

import { SipRequest, SipResponse } from '../message/message';
import { SipParseError } from '../message/parse-error';
import { formatUri } from '../message/sip-uri';
import { TARGET_REFRESH_METHODS } from './dialog.request';
import { DialogError, dialogIdOfRequest, dialogIdOfResponse, DialogState, routeSetFromResponse, sameDialog } from './dialog.state';

export type ReceiveResult = { ok: true; dialog: DialogState } | { ok: false; status: number; reason: string };

/**
 * Checks and absorbs a request the peer sent within `dialog` (RFC 3261 §12.2.2). Never throws:
 *
 * - not this dialog (Call-ID or tags), or the dialog is terminated → 481;
 * - CSeq not above the remote sequence number → 500 (the RFC says so for "lower"; an equal
 *   number here is a stray copy of a request already handled, as retransmissions are
 *   absorbed by the transaction layer, so it is refused too). ACK and CANCEL carry the
 *   INVITE's number and are let through without moving the remote sequence;
 * - otherwise the remote sequence number becomes the request's CSeq;
 * - a target refresh request (re-INVITE, UPDATE, SUBSCRIBE, NOTIFY, REFER) with a Contact
 *   replaces the remote target (a malformed Contact → 400, nothing changed);
 * - BYE terminates the dialog (§15.1.2).
 */
export function receiveInDialogRequest(dialog: DialogState, request: SipRequest): ReceiveResult {
  try {
    if (!sameDialog(dialogIdOfRequest(request, true), dialog.id)) return refuse(481, 'Call/Transaction Does Not Exist');
    if (dialog.state === 'terminated') return refuse(481, 'Call/Transaction Does Not Exist');
    const method = request.method;
    const seq = request.cseq().seq;
    if (method === 'ACK' || method === 'CANCEL') return { ok: true, dialog };
    if (dialog.remoteSeq !== undefined && seq <= dialog.remoteSeq) return refuse(500, 'Server Internal Error - CSeq out of order');
    let remoteTarget = dialog.remoteTarget;
    if (TARGET_REFRESH_METHODS.has(method)) {
      const contact = request.contact();
      if (contact === '*') return refuse(400, 'Bad Request - malformed Contact header');
      if (contact.length > 0) remoteTarget = formatUri(contact[0].uri);
    }
    const state = method === 'BYE' ? 'terminated' : dialog.state;
    return { ok: true, dialog: { ...dialog, routeSet: [...dialog.routeSet], remoteSeq: seq, remoteTarget, state } };
  } catch (e) {
    if (e instanceof SipParseError) return refuse(e.status, e.reason);
    throw e;
  }
}

/**
 * A 2xx to our target refresh request (re-INVITE, UPDATE, ...) within `dialog` replaces the
 * remote target with its Contact URI (RFC 3261 §12.2.1.2). Anything else returns the dialog
 * unchanged. Throws DialogError when the response belongs to another dialog, SipParseError
 * when its Contact is malformed.
 */
export function receiveTargetRefreshResponse(dialog: DialogState, response: SipResponse): DialogState {
  checkOwnResponse(dialog, response);
  const method = response.cseq().method;
  if (response.status < 200 || response.status >= 300 || !TARGET_REFRESH_METHODS.has(method)) return dialog;
  const contact = response.contact();
  if (contact === '*' || contact.length === 0) return dialog;
  const remoteTarget = formatUri(contact[0].uri);
  return remoteTarget === dialog.remoteTarget ? dialog : { ...dialog, routeSet: [...dialog.routeSet], remoteTarget };
}

/**
 * Everything a response to one of our requests within `dialog` does to it:
 *
 * - 481 or 408 → terminated (RFC 3261 §12.2.1.2);
 * - a final response to our BYE other than 401/407 (which we answer with credentials) →
 *   terminated (§15.1.1 names 481, 408 and timeouts; any other refusal ends it too here, as
 *   there is nothing left to do with the dialog);
 * - early dialog, 2xx to the INVITE that created it → confirmed, route set recomputed from
 *   the 2xx's Record-Route (§13.2.2.4; sequence numbers kept);
 * - early dialog, 300–699 to that INVITE → terminated (§12.3);
 * - then target refresh as receiveTargetRefreshResponse().
 *
 * Throws DialogError when the response belongs to another dialog.
 */
export function receiveInDialogResponse(dialog: DialogState, response: SipResponse): DialogState {
  checkOwnResponse(dialog, response);
  const { status } = response;
  const method = response.cseq().method;
  if (status === 481 || status === 408) return { ...dialog, routeSet: [...dialog.routeSet], state: 'terminated' };
  if (method === 'BYE' && status >= 200 && status !== 401 && status !== 407) return { ...dialog, routeSet: [...dialog.routeSet], state: 'terminated' };
  let next = dialog;
  if (dialog.state === 'early' && method === 'INVITE' && status >= 200) {
    next = status < 300 ? { ...dialog, routeSet: routeSetFromResponse(response), state: 'confirmed' } : { ...dialog, routeSet: [...dialog.routeSet], state: 'terminated' };
  }
  return next.state === 'terminated' ? next : receiveTargetRefreshResponse(next, response);
}

function checkOwnResponse(dialog: DialogState, response: SipResponse): void {
  const id = dialogIdOfResponse(response);
  // a 481/408 may come from a proxy without our peer's tag: Call-ID and our tag suffice then
  const loose = (response.status === 481 || response.status === 408) && id.remoteTag === '';
  if (id.callId !== dialog.id.callId || id.localTag !== dialog.id.localTag || (!loose && id.remoteTag !== dialog.id.remoteTag)) {
    throw new DialogError('DIALOG.MISMATCH', 'the response belongs to another dialog');
  }
}

function refuse(status: number, reason: string): ReceiveResult {
  return { ok: false, status, reason };
}
