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
 * §17.1.1.3: same Request-URI, Call-ID, From and CSeq number as the INVITE, CSeq method
 * ACK, one Via equal to the INVITE's top Via (so the same branch), the To of the response
 * (with its tag), and the INVITE's Route rows.
 */
export function buildAckForNon2xx(invite: SipRequest, response: SipResponse): SipRequest {
  const fields: SipHeaderField[] = [topViaRow(invite)];
  pushRoutes(invite, fields);
  fields.push(MAX_FORWARDS);
  push(fields, firstRow(response, 'to'));
  push(fields, firstRow(invite, 'from'));
  push(fields, firstRow(invite, 'call-id'));
  fields.push({ name: 'CSeq', key: 'cseq', value: invite.cseq().seq + ' ACK' });
  return new SipRequest('ACK', invite.uriText, SipHeaders.fromParsedFields(fields));
}

/**
 * §9.1: Request-URI, Call-ID, To, From and CSeq number as in the request being cancelled,
 * CSeq method CANCEL, a single Via equal to its top Via, its Route rows; `reason` becomes
 * a Reason header (RFC 3326). Throws TypeError for a reason holding CR or LF.
 */
export function buildCancel(request: SipRequest, reason?: string): SipRequest {
  const reasonRow = reason === undefined ? undefined : makeField('Reason', reason);
  const fields: SipHeaderField[] = [topViaRow(request)];
  pushRoutes(request, fields);
  fields.push(MAX_FORWARDS);
  push(fields, firstRow(request, 'to'));
  push(fields, firstRow(request, 'from'));
  push(fields, firstRow(request, 'call-id'));
  fields.push({ name: 'CSeq', key: 'cseq', value: request.cseq().seq + ' CANCEL' });
  push(fields, reasonRow);
  return new SipRequest('CANCEL', request.uriText, SipHeaders.fromParsedFields(fields));
}
