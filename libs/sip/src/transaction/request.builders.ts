// Requests the transaction layer builds itself: the ACK for a non-2xx final response
// (RFC 3261 §17.1.1.3) and CANCEL (§9.1). Header rows of the original request are shared,
// not re-parsed (rows are immutable).

import { makeField, SipHeaderField, SipHeaders } from '../message/headers';
import { SipRequest, SipResponse } from '../message/message';
import { formatVia } from '../message/via';

const MAX_FORWARDS: SipHeaderField = Object.freeze({ name: 'Max-Forwards', key: 'max-forwards', value: '70' });

function firstRow(req: SipRequest | SipResponse, key: string): SipHeaderField | undefined {
  const fields = req.headers.fieldArray();
  for (let i = 0; i < fields.length; i++) if (fields[i].key === key) return fields[i];
  return undefined;
}

/** The request's top Via as a row of its own (the first Via row when it holds one value only). */
function topViaRow(req: SipRequest): SipHeaderField {
  const first = firstRow(req, 'via');
  const vias = req.via();
  if (first !== undefined && vias.length === 1) return first;
  return { name: 'Via', key: 'via', value: formatVia(vias[0]) };
}

function pushRoutes(req: SipRequest, into: SipHeaderField[]): void {
  for (const f of req.headers.fieldArray()) if (f.key === 'route') into.push(f);
}

function push(into: SipHeaderField[], f: SipHeaderField | undefined): void {
  if (f !== undefined) into.push(f);
}

/**
 * The rows the ACK and the CANCEL share: one Via equal to the request's top Via (so the
 * same branch), its Route rows, Max-Forwards, `to`, its From and Call-ID, and CSeq with its
 * number and `method`; `extra` goes last.
 */
function sameTransactionRequest(req: SipRequest, method: 'ACK' | 'CANCEL', to: SipHeaderField | undefined, extra?: SipHeaderField): SipRequest {
  const fields: SipHeaderField[] = [topViaRow(req)];
  pushRoutes(req, fields);
  fields.push(MAX_FORWARDS);
  push(fields, to);
  push(fields, firstRow(req, 'from'));
  push(fields, firstRow(req, 'call-id'));
  fields.push({ name: 'CSeq', key: 'cseq', value: req.cseq().seq + ' ' + method });
  push(fields, extra);
  return new SipRequest(method, req.uriText, SipHeaders.fromParsedFields(fields));
}

/**
 * §17.1.1.3: same Request-URI, Call-ID, From and CSeq number as the INVITE, CSeq method
 * ACK, one Via equal to the INVITE's top Via (so the same branch), the To of the response
 * (with its tag), and the INVITE's Route rows.
 */
export function buildAckForNon2xx(invite: SipRequest, response: SipResponse): SipRequest {
  return sameTransactionRequest(invite, 'ACK', firstRow(response, 'to'));
}

/**
 * §9.1: Request-URI, Call-ID, To, From and CSeq number as in the request being cancelled,
 * CSeq method CANCEL, a single Via equal to its top Via, its Route rows; `reason` becomes
 * a Reason header (RFC 3326). Throws TypeError for a reason holding CR or LF.
 */
export function buildCancel(request: SipRequest, reason?: string): SipRequest {
  const reasonRow = reason === undefined ? undefined : makeField('Reason', reason);
  return sameTransactionRequest(request, 'CANCEL', firstRow(request, 'to'), reasonRow);
}
