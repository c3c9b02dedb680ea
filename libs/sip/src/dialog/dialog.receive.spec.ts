import { receiveInDialogRequest, receiveInDialogResponse, receiveTargetRefreshResponse } from './dialog.receive';
import { createInDialogRequest } from './dialog.request';
import { DialogError, dialogFromUac, DialogState } from './dialog.state';
import { ALICE_INVITE_LINES, OK_LINES, request, response } from './test/dialog.support';

/** Alice's view of the call: she sent the INVITE (UAC), Bob answered. */
function aliceDialog(over: Partial<DialogState> = {}): DialogState {
  return { ...dialogFromUac(request(ALICE_INVITE_LINES), response(OK_LINES)), ...over };
}

/** A request from Bob to Alice within the dialog. */
function fromBob(method: string, cseq: number, extra: string[] = [], tags = { from: 'a6c85cf', to: '1928301774' }) {
  return request([
    `${method} sip:alice@pc33.atlanta.example.com SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK' + method + cseq,
    'Max-Forwards: 70',
    `From: Bob <sip:bob@biloxi.example.com>;tag=${tags.from}`,
    `To: Alice <sip:alice@atlanta.example.com>;tag=${tags.to}`,
    'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
    `CSeq: ${cseq} ${method}`,
    ...extra,
  ]);
}

/** A response from Bob to Alice's request `method`/`cseq` within the dialog. */
function bobAnswers(status: string, method: string, cseq: number, extra: string[] = []) {
  return response([
    `SIP/2.0 ${status}`,
    'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKx',
    'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
    'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
    `CSeq: ${cseq} ${method}`,
    ...extra,
  ]);
}

describe('receiveInDialogRequest (RFC 3261 §12.2.2)', () => {
  it('MUST set an empty remote sequence number from the first request, then accept higher ones, gaps included', () => {
    const d0 = Object.freeze(aliceDialog());
    const r1 = receiveInDialogRequest(d0, fromBob('INFO', 100));
    expect(r1).toMatchObject({ ok: true, dialog: { remoteSeq: 100 } });
    if (!r1.ok) return;
    const r2 = receiveInDialogRequest(r1.dialog, fromBob('INFO', 105)); // a gap is not an error (§12.2.2)
    expect(r2).toMatchObject({ ok: true, dialog: { remoteSeq: 105 } });
    expect(d0.remoteSeq).toBeUndefined(); // pure
  });

  it('MUST reject a CSeq lower than the remote sequence number with 500; an equal one too (a stray copy)', () => {
    const d = aliceDialog({ remoteSeq: 100 });
    expect(receiveInDialogRequest(d, fromBob('INFO', 99))).toEqual({ ok: false, status: 500, reason: 'Server Internal Error - CSeq out of order' });
    expect(receiveInDialogRequest(d, fromBob('INFO', 100))).toMatchObject({ ok: false, status: 500 });
  });

  it('lets ACK and CANCEL through with the INVITE\'s number, without moving the remote sequence', () => {
    const d = aliceDialog({ remoteSeq: 100 });
    expect(receiveInDialogRequest(d, fromBob('ACK', 100))).toEqual({ ok: true, dialog: d });
    expect(receiveInDialogRequest(d, fromBob('CANCEL', 100))).toEqual({ ok: true, dialog: d });
  });

  it('a target refresh (re-INVITE, UPDATE) with Contact MUST replace the remote target; other requests do not', () => {
    const d = aliceDialog({ remoteSeq: 1 });
    expect(receiveInDialogRequest(d, fromBob('INVITE', 2, ['Contact: <sip:bob@192.0.2.44:5070;transport=tcp>']))).toMatchObject({ ok: true, dialog: { remoteTarget: 'sip:bob@192.0.2.44:5070;transport=tcp' } });
    expect(receiveInDialogRequest(d, fromBob('UPDATE', 2, ['Contact: "Bob" <sip:bob@192.0.2.45>']))).toMatchObject({ ok: true, dialog: { remoteTarget: 'sip:bob@192.0.2.45' } });
    expect(receiveInDialogRequest(d, fromBob('INFO', 2, ['Contact: <sip:bob@192.0.2.46>']))).toMatchObject({ ok: true, dialog: { remoteTarget: 'sip:bob@192.0.2.4' } });
    expect(receiveInDialogRequest(d, fromBob('INVITE', 2))).toMatchObject({ ok: true, dialog: { remoteTarget: 'sip:bob@192.0.2.4' } });
  });

  it('answers 400 for a malformed or wildcard Contact in a target refresh, without throwing or changing the dialog', () => {
    const d = aliceDialog({ remoteSeq: 1 });
    expect(receiveInDialogRequest(d, fromBob('INVITE', 2, ['Contact: <sip:bob@192.0.2.44']))).toEqual({ ok: false, status: 400, reason: 'Bad Request - malformed Contact header' });
    expect(receiveInDialogRequest(d, fromBob('INVITE', 2, ['Contact: *']))).toMatchObject({ ok: false, status: 400 });
    expect(d.remoteSeq).toBe(1);
  });

  it('answers 481 for a request of another dialog, or in a terminated one', () => {
    const d = aliceDialog();
    expect(receiveInDialogRequest(d, fromBob('BYE', 1, [], { from: 'other', to: '1928301774' }))).toEqual({ ok: false, status: 481, reason: 'Call/Transaction Does Not Exist' });
    expect(receiveInDialogRequest(d, fromBob('BYE', 1, [], { from: 'a6c85cf', to: 'other' }))).toMatchObject({ ok: false, status: 481 });
    expect(receiveInDialogRequest(aliceDialog({ state: 'terminated' }), fromBob('INFO', 1))).toMatchObject({ ok: false, status: 481 });
  });

  it('BYE terminates the dialog (§15.1.2)', () => {
    expect(receiveInDialogRequest(aliceDialog(), fromBob('BYE', 1))).toMatchObject({ ok: true, dialog: { state: 'terminated', remoteSeq: 1 } });
  });
});

describe('receiveTargetRefreshResponse (RFC 3261 §12.2.1.2)', () => {
  it('a 2xx to our re-INVITE or UPDATE with Contact replaces the remote target', () => {
    const d = Object.freeze(aliceDialog());
    expect(receiveTargetRefreshResponse(d, bobAnswers('200 OK', 'INVITE', 314160, ['Contact: <sip:bob@192.0.2.50>'])).remoteTarget).toBe('sip:bob@192.0.2.50');
    expect(receiveTargetRefreshResponse(d, bobAnswers('200 OK', 'UPDATE', 314160, ['Contact: <sip:bob@192.0.2.51>'])).remoteTarget).toBe('sip:bob@192.0.2.51');
    expect(d.remoteTarget).toBe('sip:bob@192.0.2.4');
  });

  it('leaves the dialog alone for provisional and error responses, non-refresh methods, and a 2xx without Contact', () => {
    const d = aliceDialog();
    expect(receiveTargetRefreshResponse(d, bobAnswers('180 Ringing', 'INVITE', 314160, ['Contact: <sip:bob@192.0.2.50>']))).toBe(d);
    expect(receiveTargetRefreshResponse(d, bobAnswers('488 Not Acceptable Here', 'INVITE', 314160, ['Contact: <sip:bob@192.0.2.50>']))).toBe(d);
    expect(receiveTargetRefreshResponse(d, bobAnswers('200 OK', 'INFO', 314160, ['Contact: <sip:bob@192.0.2.50>']))).toBe(d);
    expect(receiveTargetRefreshResponse(d, bobAnswers('200 OK', 'INVITE', 314160))).toBe(d);
  });

  it('throws DialogError for a response of another dialog', () => {
    const otherFork = response(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'To: <sip:bob@biloxi.example.com>;tag=zzz', 'From: <sip:alice@atlanta.example.com>;tag=1928301774', 'Call-ID: a84b4c76e66710@pc33.atlanta.example.com', 'CSeq: 2 INVITE']);
    expect(() => receiveTargetRefreshResponse(aliceDialog(), otherFork)).toThrow(DialogError);
    expect(() => receiveInDialogResponse(aliceDialog(), otherFork)).toThrow(DialogError);
  });
});

describe('receiveInDialogResponse', () => {
  it('early → confirmed on the 2xx to the INVITE, recomputing the route set from it and keeping sequence numbers (§13.2.2.4)', () => {
    const invite = request(ALICE_INVITE_LINES);
    const ringing = response(OK_LINES.filter((l) => !l.startsWith('Record-Route')).map((l) => l.replace('200 OK', '180 Ringing')));
    const early = dialogFromUac(invite, ringing);
    expect(early).toMatchObject({ state: 'early', routeSet: [] });
    const prack = createInDialogRequest(early, 'PRACK', { via: { protocol: 'UDP', host: 'pc33.atlanta.example.com' }, branch: 'z9hG4bKprack' }).dialog;
    const confirmed = receiveInDialogResponse(prack, response(OK_LINES));
    expect(confirmed).toMatchObject({ state: 'confirmed', localSeq: 314160, routeSet: ['<sip:bigbox3.site3.atlanta.example.com;lr>', '<sip:server10.biloxi.example.com;lr>'] });
  });

  it('early → terminated on a 3xx–6xx to the INVITE (§12.3)', () => {
    const early = aliceDialog({ state: 'early' });
    expect(receiveInDialogResponse(early, bobAnswers('486 Busy Here', 'INVITE', 314159)).state).toBe('terminated');
  });

  it('SHOULD terminate on 481 or 408 to any request (§12.2.1.2), also when a proxy sent it without the peer tag', () => {
    expect(receiveInDialogResponse(aliceDialog(), bobAnswers('481 Call/Transaction Does Not Exist', 'INFO', 314160)).state).toBe('terminated');
    expect(receiveInDialogResponse(aliceDialog(), bobAnswers('408 Request Timeout', 'INVITE', 314160)).state).toBe('terminated');
    const fromProxy = response(['SIP/2.0 408 Request Timeout', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'To: <sip:bob@biloxi.example.com>', 'From: <sip:alice@atlanta.example.com>;tag=1928301774', 'Call-ID: a84b4c76e66710@pc33.atlanta.example.com', 'CSeq: 314160 INFO']);
    expect(receiveInDialogResponse(aliceDialog(), fromProxy).state).toBe('terminated');
  });

  it('a final response to our BYE ends the dialog, except a challenge (401/407) we answer', () => {
    expect(receiveInDialogResponse(aliceDialog(), bobAnswers('200 OK', 'BYE', 314160)).state).toBe('terminated');
    expect(receiveInDialogResponse(aliceDialog(), bobAnswers('500 Server Internal Error', 'BYE', 314160)).state).toBe('terminated');
    expect(receiveInDialogResponse(aliceDialog(), bobAnswers('401 Unauthorized', 'BYE', 314160)).state).toBe('confirmed');
    expect(receiveInDialogResponse(aliceDialog(), bobAnswers('407 Proxy Authentication Required', 'BYE', 314160)).state).toBe('confirmed');
  });

  it('a 2xx to a confirmed dialog\'s re-INVITE refreshes the target but never the route set', () => {
    const d = aliceDialog();
    const after = receiveInDialogResponse(d, bobAnswers('200 OK', 'INVITE', 314160, ['Record-Route: <sip:elsewhere;lr>', 'Contact: <sip:bob@192.0.2.60>']));
    expect(after).toMatchObject({ state: 'confirmed', remoteTarget: 'sip:bob@192.0.2.60', routeSet: d.routeSet });
  });

  it('a provisional response to a re-INVITE changes nothing', () => {
    const d = aliceDialog();
    expect(receiveInDialogResponse(d, bobAnswers('100 Trying', 'INVITE', 314160))).toBe(d);
    expect(receiveInDialogResponse(d, bobAnswers('180 Ringing', 'INVITE', 314160, ['Contact: <sip:bob@192.0.2.70>']))).toBe(d);
  });
});
