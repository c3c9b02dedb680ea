import { createRequest, createResponse, reasonPhrase } from './message.factory';
import { SipRequest } from './message';
import { parseMessage } from './message.parser';
import { serialize, serializeToString } from './message.serializer';

function parseRequest(lines: string[]): SipRequest {
  const r = parseMessage(lines.join('\r\n') + '\r\n\r\n');
  if (!r.ok || r.message.kind !== 'request') throw new Error(r.ok ? 'response' : r.error.reason);
  return r.message;
}

const INVITE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1',
  'v: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1, SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1',
  'Max-Forwards: 68',
  'Record-Route: <sip:server10.biloxi.example.com;lr>',
  'Record-Route: <sip:bigbox3.site3.atlanta.example.com;lr>',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Timestamp: 54',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
  'Content-Length: 0',
];

describe('createResponse (RFC 3261 §8.2.6)', () => {
  it('MUST copy Via rows in order, From, To, Call-ID and CSeq, adding the To tag', () => {
    const res = createResponse(parseRequest(INVITE), 486, undefined, undefined, { toTag: 'a6c85cf' });
    expect(serializeToString(res)).toBe(
      [
        'SIP/2.0 486 Busy Here',
        'Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bK4b43c2ff8.1',
        'v: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1, SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1',
        'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
        'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
        'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
        'CSeq: 314159 INVITE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    expect(res.to().tag).toBe('a6c85cf');
    expect(res.via()).toHaveLength(3);
  });

  it('MUST NOT change a To tag the request already had', () => {
    const req = parseRequest(INVITE.map((l) => (l.startsWith('To:') ? 'To: Bob <sip:bob@biloxi.example.com>;tag=existing' : l)));
    expect(createResponse(req, 200, undefined, undefined, { toTag: 'other' }).to().tag).toBe('existing');
  });

  it('adds no To tag to 100 Trying, and copies Timestamp into it (RFC 3261 §8.2.6.1)', () => {
    const res = createResponse(parseRequest(INVITE), 100, undefined, undefined, { toTag: 'x' });
    expect(res.to().tag).toBeUndefined();
    expect(res.headers.get('Timestamp')).toBe('54');
    expect(createResponse(parseRequest(INVITE), 180).headers.has('Timestamp')).toBe(false);
  });

  it('copies Record-Route into responses that set up a dialog (RFC 3261 §12.1.1), not into failures', () => {
    const req = parseRequest(INVITE);
    expect(createResponse(req, 200, undefined, undefined, { toTag: 't' }).recordRoute()).toHaveLength(2);
    expect(createResponse(req, 180, undefined, undefined, { toTag: 't' }).recordRoute()).toHaveLength(2);
    expect(createResponse(req, 404).recordRoute()).toHaveLength(0);
    expect(createResponse(req, 200, undefined, undefined, { copyRecordRoute: false }).recordRoute()).toHaveLength(0);
  });

  it('takes a custom reason, extra headers and a body, and writes Content-Length from the body', () => {
    const res = createResponse(parseRequest(INVITE), 200, 'Fine', [['Contact', '<sip:bob@192.0.2.4>'], ['Content-Type', 'application/sdp']], { toTag: 't', body: 'v=0\r\n' });
    const text = serializeToString(res);
    expect(text.startsWith('SIP/2.0 200 Fine\r\n')).toBe(true);
    expect(text).toContain('Contact: <sip:bob@192.0.2.4>\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n');
  });

  it('knows the reason phrases of RFC 3261 §21', () => {
    expect([reasonPhrase(180), reasonPhrase(481), reasonPhrase(599), reasonPhrase(799)]).toEqual(['Ringing', 'Call/Transaction Does Not Exist', 'Server Internal Error', '']);
  });

  it('refuses a status outside 100–699', () => {
    expect(() => createResponse(parseRequest(INVITE), 99)).toThrow(RangeError);
  });
});

describe('serialize', () => {
  it('replaces a wrong Content-Length by the body length, where the row was', () => {
    const req = createRequest({
      method: 'MESSAGE',
      uri: 'sip:bob@biloxi.example.com',
      headers: [
        ['Via', 'SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKm1'],
        ['Content-Length', '999'],
        ['From', '<sip:alice@atlanta.example.com>;tag=1'],
        ['To', '<sip:bob@biloxi.example.com>'],
        ['Call-ID', 'm1@192.0.2.1'],
        ['CSeq', '1 MESSAGE'],
      ],
      body: 'Grüße',
    });
    const wire = serialize(req);
    expect(wire.toString()).toBe(
      'MESSAGE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKm1\r\nContent-Length: 7\r\nFrom: <sip:alice@atlanta.example.com>;tag=1\r\nTo: <sip:bob@biloxi.example.com>\r\nCall-ID: m1@192.0.2.1\r\nCSeq: 1 MESSAGE\r\n\r\nGrüße',
    );
    const again = parseMessage(wire, { framing: 'stream' });
    expect(again.ok && again.message.body.toString()).toBe('Grüße');
  });

  it('checks the method and Request-URI of a request built from parts', () => {
    expect(() => createRequest({ method: 'IN VITE', uri: 'sip:a@b' })).toThrow(TypeError);
    expect(() => createRequest({ method: 'INVITE', uri: 'sip:a@' })).toThrow();
  });
});
