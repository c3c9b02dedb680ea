import { createResponse } from '../message/message.factory';
import { SipParseError } from '../message/parse-error';
import { dialogFromUac, dialogFromUas, dialogIdOfRequest, dialogIdOfResponse, dialogKey, sameDialog } from './dialog.state';
import { ALICE_INVITE_LINES, INVITE_LINES, OK_LINES, code, request, response } from './test/dialog.support';

const BOB_CONTACT = '<sip:bob@192.0.2.4>';

function replace(lines: readonly string[], prefix: string, line?: string): string[] {
  const out = lines.filter((l) => !l.startsWith(prefix));
  if (line !== undefined) out.splice(1, 0, line);
  return out;
}

describe('dialogFromUas (RFC 3261 §12.1.1)', () => {
  const invite = request(INVITE_LINES);

  it('MUST take the route set from Record-Route in order, the remote target from Contact, the remote sequence from CSeq; local sequence empty', () => {
    const d = dialogFromUas(invite, createResponse(invite, 200, undefined, undefined, { toTag: 'a6c85cf' }), BOB_CONTACT);
    expect(d).toEqual({
      id: { callId: 'a84b4c76e66710@pc33.atlanta.example.com', localTag: 'a6c85cf', remoteTag: '1928301774' },
      localUri: 'sip:bob@biloxi.example.com',
      remoteUri: 'sip:alice@atlanta.example.com',
      localTarget: BOB_CONTACT,
      remoteTarget: 'sip:alice@pc33.atlanta.example.com',
      routeSet: ['<sip:server10.biloxi.example.com;lr>', '<sip:bigbox3.site3.atlanta.example.com;lr>'],
      localSeq: 0,
      remoteSeq: 314159,
      secure: false,
      state: 'confirmed',
    });
  });

  it('is early for a 1xx with a To tag, and keeps Record-Route values as written when a row holds a list', () => {
    const inv = request(replace(INVITE_LINES, 'Record-Route', 'Record-Route: <sip:p1.example.com;lr;x=Y>, <sip:p2.example.com;lr>'));
    const d = dialogFromUas(inv, createResponse(inv, 180, undefined, undefined, { toTag: 't1' }), BOB_CONTACT);
    expect(d.state).toBe('early');
    expect(d.routeSet).toEqual(['<sip:p1.example.com;lr;x=Y>', '<sip:p2.example.com;lr>']);
  });

  it('sets secure for a SIPS Request-URI over TLS only (or as the transport layer says)', () => {
    const tls = request(['INVITE sips:bob@biloxi.example.com SIP/2.0', 'Via: SIP/2.0/TLS pc33.atlanta.example.com;branch=z9hG4bKx', ...INVITE_LINES.slice(4)]);
    const ok = createResponse(tls, 200, undefined, undefined, { toTag: 't' });
    expect(dialogFromUas(tls, ok, BOB_CONTACT).secure).toBe(true);
    const udp = request(['INVITE sips:bob@biloxi.example.com SIP/2.0', 'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKx', ...INVITE_LINES.slice(4)]);
    expect(dialogFromUas(udp, createResponse(udp, 200, undefined, undefined, { toTag: 't' }), BOB_CONTACT).secure).toBe(false);
    expect(dialogFromUas(udp, createResponse(udp, 200, undefined, undefined, { toTag: 't' }), BOB_CONTACT, { secure: true }).secure).toBe(true);
  });

  it('takes an RFC 2543 peer without From tag, with an empty remote tag', () => {
    const inv = request(replace(INVITE_LINES, 'From', 'From: Alice <sip:alice@atlanta.example.com>'));
    expect(dialogFromUas(inv, createResponse(inv, 200, undefined, undefined, { toTag: 't' }), BOB_CONTACT).id.remoteTag).toBe('');
  });

  it('refuses responses that create no dialog: 100, 1xx without To tag, 3xx–6xx', () => {
    expect(code(() => dialogFromUas(invite, createResponse(invite, 100), BOB_CONTACT))).toBe('DIALOG.NOT_A_DIALOG_RESPONSE');
    expect(code(() => dialogFromUas(invite, createResponse(invite, 180), BOB_CONTACT))).toBe('DIALOG.NOT_A_DIALOG_RESPONSE');
    expect(code(() => dialogFromUas(invite, createResponse(invite, 486, undefined, undefined, { toTag: 't' }), BOB_CONTACT))).toBe('DIALOG.NOT_A_DIALOG_RESPONSE');
  });

  it('refuses an INVITE without Contact, a bad local contact and a response to another call', () => {
    const noContact = request(replace(INVITE_LINES, 'Contact'));
    expect(code(() => dialogFromUas(noContact, createResponse(noContact, 200, undefined, undefined, { toTag: 't' }), BOB_CONTACT))).toBe('DIALOG.NO_CONTACT');
    expect(code(() => dialogFromUas(invite, createResponse(invite, 200, undefined, undefined, { toTag: 't' }), 'not a uri'))).toBe('DIALOG.BAD_ARGUMENT');
    const other = request(replace(INVITE_LINES, 'Call-ID', 'Call-ID: other@x'));
    expect(code(() => dialogFromUas(invite, createResponse(other, 200, undefined, undefined, { toTag: 't' }), BOB_CONTACT))).toBe('DIALOG.MISMATCH');
  });

  it('lets a malformed Record-Route surface as SipParseError (answer 400)', () => {
    const inv = request(replace(INVITE_LINES, 'Record-Route', 'Record-Route: <sip:p1.example.com;lr'));
    expect(() => dialogFromUas(inv, createResponse(inv, 200, undefined, undefined, { toTag: 't' }), BOB_CONTACT)).toThrow(SipParseError);
  });
});

describe('dialogFromUac (RFC 3261 §12.1.2)', () => {
  const invite = request(ALICE_INVITE_LINES);

  it('MUST take the route set from Record-Route in reverse order, the remote target from Contact, the local sequence from CSeq; remote sequence empty', () => {
    const d = dialogFromUac(invite, response(OK_LINES));
    expect(d).toEqual({
      id: { callId: 'a84b4c76e66710@pc33.atlanta.example.com', localTag: '1928301774', remoteTag: 'a6c85cf' },
      localUri: 'sip:alice@atlanta.example.com',
      remoteUri: 'sip:bob@biloxi.example.com',
      localTarget: '<sip:alice@pc33.atlanta.example.com>',
      remoteTarget: 'sip:bob@192.0.2.4',
      routeSet: ['<sip:bigbox3.site3.atlanta.example.com;lr>', '<sip:server10.biloxi.example.com;lr>'],
      localSeq: 314159,
      remoteSeq: undefined,
      secure: false,
      state: 'confirmed',
    });
  });

  it('creates an early dialog from a 1xx with To tag; without Contact its target is the Request-URI (deviation), but a 2xx needs one', () => {
    const ringing = response([...replace(OK_LINES, 'Contact'), 'Contact: <sip:bob@192.0.2.4>'].map((l) => l.replace('SIP/2.0 200 OK', 'SIP/2.0 180 Ringing')));
    expect(dialogFromUac(invite, ringing).state).toBe('early');
    const progress = response(replace(OK_LINES, 'Contact').map((l) => l.replace('SIP/2.0 200 OK', 'SIP/2.0 183 Session Progress')));
    expect(dialogFromUac(invite, progress).remoteTarget).toBe('sip:bob@biloxi.example.com');
    expect(code(() => dialogFromUac(invite, response(replace(OK_LINES, 'Contact'))))).toBe('DIALOG.NO_CONTACT');
  });

  it('refuses a response to another request (From tag, Call-ID, CSeq) or without To tag', () => {
    expect(code(() => dialogFromUac(invite, response(OK_LINES.map((l) => l.replace('tag=1928301774', 'tag=zzz')))))).toBe('DIALOG.MISMATCH');
    expect(code(() => dialogFromUac(invite, response(OK_LINES.map((l) => l.replace('CSeq: 314159', 'CSeq: 314160')))))).toBe('DIALOG.MISMATCH');
    expect(code(() => dialogFromUac(invite, response(OK_LINES.map((l) => l.replace('Call-ID: a84b', 'Call-ID: zzzz')))))).toBe('DIALOG.MISMATCH');
    expect(code(() => dialogFromUac(invite, response(OK_LINES.map((l) => l.replace(';tag=a6c85cf', '')))))).toBe('DIALOG.NOT_A_DIALOG_RESPONSE');
  });
});

describe('dialog ids (RFC 3261 §12)', () => {
  it('reads local and remote tags from To/From by the side we are on', () => {
    const bye = request([
      'BYE sip:alice@pc33.atlanta.example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10',
      'From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
      'To: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
      'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
      'CSeq: 231 BYE',
    ]);
    const atAlice = dialogIdOfRequest(bye, true);
    expect(atAlice).toEqual({ callId: 'a84b4c76e66710@pc33.atlanta.example.com', localTag: '1928301774', remoteTag: 'a6c85cf' });
    expect(dialogIdOfRequest(bye, false)).toEqual({ callId: 'a84b4c76e66710@pc33.atlanta.example.com', localTag: 'a6c85cf', remoteTag: '1928301774' });
    expect(sameDialog(atAlice, dialogFromUac(request(ALICE_INVITE_LINES), response(OK_LINES)).id)).toBe(true);
    expect(dialogIdOfResponse(response(OK_LINES))).toEqual(dialogFromUac(request(ALICE_INVITE_LINES), response(OK_LINES)).id);
    expect(dialogKey(atAlice)).toBe('a84b4c76e66710@pc33.atlanta.example.com 1928301774 a6c85cf');
    expect(dialogKey({ callId: 'c', localTag: 'a', remoteTag: '' })).not.toBe(dialogKey({ callId: 'c', localTag: '', remoteTag: 'a' }));
  });
});
