import { parseMessage } from '../message/message.parser';
import { serialize, serializeToString } from '../message/message.serializer';
import { createResponse } from '../message/message.factory';
import { receiveInDialogRequest } from './dialog.receive';
import { createInDialogRequest, InDialogRequestOptions } from './dialog.request';
import { dialogFromUac, dialogFromUas, dialogIdOfRequest, DialogState } from './dialog.state';
import { ALICE_INVITE_LINES, INVITE_LINES, OK_LINES, code, request, response } from './test/dialog.support';

const VIA: InDialogRequestOptions['via'] = { protocol: 'UDP', host: 'pc33.atlanta.example.com', port: 5060 };

function opts(branch = 'z9hG4bKtest1', more: Partial<InDialogRequestOptions> = {}): InDialogRequestOptions {
  return { via: VIA, branch, ...more };
}

function dialog(over: Partial<DialogState> = {}): DialogState {
  return {
    id: { callId: 'call-1@example.com', localTag: 'ltag', remoteTag: 'rtag' },
    localUri: 'sip:alice@atlanta.example.com',
    remoteUri: 'sip:bob@biloxi.example.com',
    localTarget: 'sip:alice@pc33.atlanta.example.com',
    remoteTarget: 'sip:bob@192.0.2.4',
    routeSet: [],
    localSeq: 10,
    remoteSeq: 5,
    secure: false,
    state: 'confirmed',
    ...over,
  };
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

describe('createInDialogRequest (RFC 3261 §12.2.1.1)', () => {
  it('MUST set To = remote URI + remote tag, From = local URI + local tag, the dialog Call-ID, CSeq = local sequence + 1, Max-Forwards and a Via with the branch', () => {
    const before = deepFreeze(dialog());
    const { request: req, dialog: after } = createInDialogRequest(before, 'BYE', opts());
    expect(serializeToString(req)).toBe(
      [
        'BYE sip:bob@192.0.2.4 SIP/2.0',
        'Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKtest1',
        'Max-Forwards: 70',
        'From: <sip:alice@atlanta.example.com>;tag=ltag',
        'To: <sip:bob@biloxi.example.com>;tag=rtag',
        'Call-ID: call-1@example.com',
        'CSeq: 11 BYE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    expect(after).toEqual({ ...before, localSeq: 11 });
    expect(before.localSeq).toBe(10); // pure: the input is untouched (and frozen)
  });

  it('MUST NOT add a Route and MUST use the remote target when the route set is empty', () => {
    const { request: req } = createInDialogRequest(dialog(), 'INFO', opts());
    expect(req.uriText).toBe('sip:bob@192.0.2.4');
    expect(req.headers.has('Route')).toBe(false);
  });

  it('loose routing: Request-URI = remote target, Route = the route set in order with all parameters', () => {
    const routeSet = ['<sip:p1.example.com;lr;foo=bar>', '<sip:p2.example.com;lr>'];
    const { request: req } = createInDialogRequest(dialog({ routeSet }), 'BYE', opts());
    expect(req.uriText).toBe('sip:bob@192.0.2.4');
    expect(req.headers.getAll('Route')).toEqual(routeSet);
  });

  it('strict routing, the example of §12.2.1.1: Request-URI = first route, Route = the rest then the remote target', () => {
    const d = dialog({ remoteTarget: 'sip:user@remoteua', routeSet: ['<sip:proxy1>', '<sip:proxy2>', '<sip:proxy3;lr>', '<sip:proxy4>'] });
    const { request: req } = createInDialogRequest(d, 'BYE', opts());
    expect(req.uriText).toBe('sip:proxy1');
    expect(req.headers.getAll('Route')).toEqual(['<sip:proxy2>', '<sip:proxy3;lr>', '<sip:proxy4>', '<sip:user@remoteua>']);
  });

  it('strict routing strips what a Request-URI may not carry (method parameter, URI headers) and keeps the rest', () => {
    const d = dialog({ routeSet: ['<sip:strict.example.com;maddr=192.0.2.9;method=INVITE?Subject=x>'] });
    const { request: req } = createInDialogRequest(d, 'BYE', opts());
    expect(req.uriText).toBe('sip:strict.example.com;maddr=192.0.2.9');
    expect(req.headers.getAll('Route')).toEqual(['<sip:bob@192.0.2.4>']);
  });

  it('ACK and CANCEL reuse the INVITE\'s CSeq number and leave the local sequence alone', () => {
    const d0 = dialogFromUac(request(ALICE_INVITE_LINES), response(OK_LINES));
    const ack = createInDialogRequest(d0, 'ACK', opts('z9hG4bKack1'));
    expect(ack.request.cseq()).toEqual({ seq: 314159, method: 'ACK' });
    expect(ack.dialog.localSeq).toBe(314159);
    const reinvite = createInDialogRequest(ack.dialog, 'INVITE', opts('z9hG4bKre1'));
    expect(reinvite.request.cseq()).toEqual({ seq: 314160, method: 'INVITE' });
    const cancel = createInDialogRequest(reinvite.dialog, 'CANCEL', opts('z9hG4bKre1'));
    expect(cancel.request.cseq()).toEqual({ seq: 314160, method: 'CANCEL' });
    expect(cancel.request.topVia()?.branch).toBe('z9hG4bKre1'); // CANCEL: same branch as the request it cancels (§9.1)
    const bye = createInDialogRequest(cancel.dialog, 'BYE', opts('z9hG4bKbye1'));
    expect(bye.request.cseq()).toEqual({ seq: 314161, method: 'BYE' });
    const lateAck = createInDialogRequest(bye.dialog, 'ACK', opts('z9hG4bKack2', { cseq: 314160 }));
    expect(lateAck.request.cseq()).toEqual({ seq: 314160, method: 'ACK' });
    expect(lateAck.dialog.localSeq).toBe(314161);
  });

  it('a UAS whose local sequence is empty starts at 1', () => {
    const inv = request(INVITE_LINES);
    const d = dialogFromUas(inv, createResponse(inv, 200, undefined, undefined, { toTag: 'a6c85cf' }), '<sip:bob@192.0.2.4>');
    const { request: bye } = createInDialogRequest(d, 'BYE', opts());
    expect(bye.cseq().seq).toBe(1);
    // and the UAS routes back through the proxies in Record-Route order
    expect(bye.uriText).toBe('sip:alice@pc33.atlanta.example.com');
    expect(bye.headers.getAll('Route')).toEqual(['<sip:server10.biloxi.example.com;lr>', '<sip:bigbox3.site3.atlanta.example.com;lr>']);
    expect(bye.from().tag).toBe('a6c85cf');
    expect(bye.to().tag).toBe('1928301774');
  });

  it('MUST omit the tag parameter when the remote tag is empty (RFC 2543 peer)', () => {
    const { request: req } = createInDialogRequest(dialog({ id: { callId: 'c@x', localTag: 'l', remoteTag: '' } }), 'BYE', opts());
    expect(req.headers.get('To')).toBe('<sip:bob@biloxi.example.com>');
  });

  it('puts our Contact on target refresh requests only', () => {
    for (const m of ['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']) expect(createInDialogRequest(dialog(), m, opts()).request.headers.get('Contact')).toBe('<sip:alice@pc33.atlanta.example.com>');
    for (const m of ['BYE', 'ACK', 'INFO', 'PRACK', 'MESSAGE', 'OPTIONS']) expect(createInDialogRequest(dialog(), m, opts()).request.headers.has('Contact')).toBe(false);
    const named = dialog({ localTarget: '<sip:alice@pc33.atlanta.example.com;transport=tcp>;+sip.instance="<urn:uuid:1>"' });
    expect(createInDialogRequest(named, 'INVITE', opts()).request.headers.get('Contact')).toBe(named.localTarget);
  });

  it('carries a body with its Content-Type, extra headers, and lets Contact or Max-Forwards be replaced', () => {
    const sdp = 'v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\n';
    const { request: req } = createInDialogRequest(dialog(), 'INVITE', opts('z9hG4bKb', { body: sdp, contentType: 'application/sdp', headers: { Supported: 'timer', Contact: '<sip:alice@192.0.2.99>', 'Max-Forwards': '10' } }));
    expect(req.body.toString()).toBe(sdp);
    expect(req.headers.get('Content-Type')).toBe('application/sdp');
    expect(req.headers.get('Supported')).toBe('timer');
    expect(req.headers.getAll('Contact')).toEqual(['<sip:alice@192.0.2.99>']);
    expect(req.maxForwards()).toBe(10);
    const wire = parseMessage(serialize(req));
    expect(wire.ok && wire.message.body.toString()).toBe(sdp);
  });

  it('refuses a terminated dialog (ACK excepted), bad branches, headers the dialog owns, a body without type, a CSeq going back', () => {
    expect(code(() => createInDialogRequest(dialog({ state: 'terminated' }), 'BYE', opts()))).toBe('DIALOG.TERMINATED');
    expect(createInDialogRequest(dialog({ state: 'terminated' }), 'ACK', opts()).request.method).toBe('ACK');
    expect(code(() => createInDialogRequest(dialog(), 'BYE', opts('abc')))).toBe('DIALOG.BAD_ARGUMENT');
    expect(code(() => createInDialogRequest(dialog(), 'BYE', opts('z9hG4bK')))).toBe('DIALOG.BAD_ARGUMENT');
    expect(code(() => createInDialogRequest(dialog(), 'BYE', opts('z9hG4bK a')))).toBe('DIALOG.BAD_ARGUMENT');
    expect(code(() => createInDialogRequest(dialog(), 'BYE', { via: { protocol: 'UDP', host: 'bad host' }, branch: 'z9hG4bKx' }))).toBe('DIALOG.BAD_ARGUMENT');
    for (const h of ['Via', 'call-id', 'CSeq', 'From', 'To', 'Route', 'i']) expect(code(() => createInDialogRequest(dialog(), 'BYE', opts('z9hG4bKx', { headers: { [h]: 'x' } })))).toBe('DIALOG.BAD_ARGUMENT');
    expect(code(() => createInDialogRequest(dialog(), 'BYE', opts('z9hG4bKx', { headers: { 'X-Evil': 'a\r\nVia: injected' } })))).toBe('DIALOG.BAD_ARGUMENT');
    expect(code(() => createInDialogRequest(dialog(), 'BYE', opts('z9hG4bKx', { headers: { 'bad name': 'x' } })))).toBe('DIALOG.BAD_ARGUMENT');
    expect(code(() => createInDialogRequest(dialog(), 'INFO', opts('z9hG4bKx', { body: 'x' })))).toBe('DIALOG.BAD_ARGUMENT');
    expect(code(() => createInDialogRequest(dialog(), 'INFO', opts('z9hG4bKx', { cseq: 10 })))).toBe('DIALOG.BAD_ARGUMENT');
    expect(code(() => createInDialogRequest(dialog({ localSeq: 0x7fffffff }), 'INFO', opts()))).toBe('DIALOG.BAD_ARGUMENT');
    expect(code(() => createInDialogRequest(dialog(), 'BAD METHOD', opts()))).toBe('DIALOG.BAD_ARGUMENT');
  });

  it('what the UAC builds, the UAS accepts: BYE across proxies matches the UAS dialog and ends it', () => {
    const uac = dialogFromUac(request(ALICE_INVITE_LINES), response(OK_LINES));
    const inv = request(INVITE_LINES);
    const uas = dialogFromUas(inv, createResponse(inv, 200, undefined, undefined, { toTag: 'a6c85cf' }), '<sip:bob@192.0.2.4>');
    const { request: bye } = createInDialogRequest(uac, 'BYE', opts('z9hG4bKbye'));
    const wire = parseMessage(serialize(bye));
    if (!wire.ok || wire.message.kind !== 'request') throw new Error('BYE did not parse');
    expect(wire.message.headers.getAll('Route')).toEqual(['<sip:bigbox3.site3.atlanta.example.com;lr>', '<sip:server10.biloxi.example.com;lr>']);
    expect(dialogIdOfRequest(wire.message, true)).toEqual(uas.id);
    const got = receiveInDialogRequest(uas, wire.message);
    expect(got).toMatchObject({ ok: true, dialog: { state: 'terminated', remoteSeq: 314160 } });
  });
});
