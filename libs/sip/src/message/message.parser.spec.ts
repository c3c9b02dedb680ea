import { isKeepAlive, parseMessage, ParseResult } from './message.parser';
import { SipMessage, SipRequest } from './message';
import { SipParseError } from './parse-error';

const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

function invite(extra: string[] = [], body = SDP, contentLength: number | null = Buffer.byteLength(body)): string {
  return [
    'INVITE sip:bob@biloxi.example.com SIP/2.0',
    'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
    'Max-Forwards: 70',
    'To: Bob <sip:bob@biloxi.example.com>',
    'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
    'CSeq: 314159 INVITE',
    ...extra,
    ...(contentLength === null ? [] : [`Content-Length: ${contentLength}`]),
    '',
    body,
  ].join('\r\n');
}

function ok(r: ParseResult): SipMessage {
  if (!r.ok) throw new Error(`${r.error.status} ${r.error.reason}`);
  return r.message;
}

function request(r: ParseResult): SipRequest {
  const m = ok(r);
  if (m.kind !== 'request') throw new Error('not a request');
  return m;
}

describe('parseMessage: start line and headers (RFC 3261 §7)', () => {
  it('reads a request: method, Request-URI and the mandatory headers', () => {
    const m = request(parseMessage(Buffer.from(invite())));
    expect(m.method).toBe('INVITE');
    expect(m.uriText).toBe('sip:bob@biloxi.example.com');
    expect(m.uri).toMatchObject({ kind: 'sip', user: 'bob', host: 'biloxi.example.com' });
    expect(m.topVia()?.branch).toBe('z9hG4bK776asdhds');
    expect(m.from().tag).toBe('1928301774');
    expect(m.to().tag).toBeUndefined();
    expect(m.callId()).toBe('a84b4c76e66710@pc33.atlanta.example.com');
    expect(m.cseq()).toEqual({ seq: 314159, method: 'INVITE' });
    expect(m.maxForwards()).toBe(70);
    expect(m.body.toString()).toBe(SDP);
  });

  it('reads a response: status and reason phrase', () => {
    const text = invite().replace('INVITE sip:bob@biloxi.example.com SIP/2.0', 'SIP/2.0 486 Busy Here');
    const m = ok(parseMessage(text));
    expect(m.kind === 'response' && [m.status, m.reason]).toEqual([486, 'Busy Here']);
  });

  it('gives the same message from a string and from its bytes', () => {
    const text = invite(['Subject: café ☕'], 'héllo');
    const a = ok(parseMessage(text));
    const b = ok(parseMessage(Buffer.from(text)));
    expect(a.headers.fields()).toEqual(b.headers.fields());
    expect(a.body.equals(b.body)).toBe(true);
    expect(a.headers.get('subject')).toBe('café ☕');
  });

  it('treats a missing Max-Forwards as 70 (RFC 3261 §8.1.1.6)', () => {
    expect(ok(parseMessage(invite().replace('Max-Forwards: 70\r\n', ''))).maxForwards()).toBe(70);
  });

  it('unfolds continuation lines into one SP (RFC 3261 §7.3.1)', () => {
    const m = ok(parseMessage(invite(['Subject: I know you\'re there,', '   pick up the phone', '\tand talk to me!'])));
    expect(m.headers.get('Subject')).toBe("I know you're there, pick up the phone and talk to me!");
  });

  it('keeps repeated rows in order and reads comma lists across them (RFC 3261 §7.3.1)', () => {
    const m = ok(parseMessage(invite(['Route: <sip:p1.example.com;lr>', 'Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>', 'Supported: timer', 'k: 100rel, replaces'])));
    expect(m.route().map((r) => r.uri.kind === 'sip' && r.uri.host)).toEqual(['p1.example.com', 'p2.example.com', 'p3.example.com']);
    expect(m.supported()).toEqual(['timer', '100rel', 'replaces']);
  });

  it('reads Contact, Expires, Content-Type, Allow and Require on demand', () => {
    const m = ok(parseMessage(invite(['Contact: "Alice" <sip:alice@192.0.2.1:5060;transport=tcp>;expires=3600;+sip.instance="<urn:uuid:1>"', 'Expires: 120', 'Content-Type: application/SDP; charset=utf-8', 'Allow: INVITE,ACK , BYE', 'Require: 100rel'])));
    const contact = m.contact();
    if (contact === '*') throw new Error('star');
    expect(contact[0]).toMatchObject({ displayName: 'Alice', uri: { port: 5060 } });
    expect(contact[0].params.get('expires')).toBe('3600');
    expect(m.expires()).toBe(120);
    expect(m.contentType()).toEqual({ type: 'application', subtype: 'sdp', params: new Map([['charset', 'utf-8']]) });
    expect(m.allow()).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(m.require()).toEqual(['100rel']);
  });

  it('leaves headers it does not need unparsed: a bad Contact fails only when asked for', () => {
    const r = parseMessage(invite(['Contact: <sip:broken']));
    const m = ok(r);
    expect(() => m.contact()).toThrow(new SipParseError(400, 'Bad Request - malformed Contact header'));
    expect(parseMessage(invite(['Contact: <sip:broken']), { eagerHeaders: ['m'] })).toEqual({ ok: false, error: { status: 400, reason: 'Bad Request - malformed Contact header' } });
  });

  it('drops cached views when the headers change', () => {
    const m = ok(parseMessage(invite()));
    expect(m.via()).toHaveLength(1);
    m.headers.prepend('Via', 'SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp1');
    expect(m.via().map((v) => v.host)).toEqual(['proxy.example.com', 'pc33.atlanta.example.com']);
    m.headers.set('From', '<sip:carol@example.com>;tag=c1');
    expect(m.from().tag).toBe('c1');
  });

  it('lets a Request-URI be replaced', () => {
    const m = request(parseMessage(invite()));
    m.uri = { kind: 'sip', scheme: 'sip', user: 'bob', host: '192.0.2.4', hostType: 'ipv4', port: 5062, params: new Map(), headers: new Map() };
    expect(m.uriText).toBe('sip:bob@192.0.2.4:5062');
  });
});

describe('parseMessage: body framing (RFC 3261 §18.3)', () => {
  it('truncates a datagram body to Content-Length', () => {
    expect(ok(parseMessage(invite([], 'abcdefgh', 3))).body.toString()).toBe('abc');
  });

  it('refuses a datagram whose body is shorter than Content-Length', () => {
    expect(parseMessage(invite([], 'abc', 10))).toEqual({ ok: false, error: { status: 400, reason: 'Bad Request - Content-Length larger than message body' } });
  });

  it('takes the rest of the datagram as body when Content-Length is missing', () => {
    expect(ok(parseMessage(invite([], 'rest of it', null))).body.toString()).toBe('rest of it');
  });

  it('requires Content-Length on a stream', () => {
    expect(parseMessage(invite([], '', null), { framing: 'stream' })).toEqual({ ok: false, error: { status: 400, reason: 'Bad Request - missing Content-Length header' } });
    expect(ok(parseMessage(invite(), { framing: 'stream' })).body.toString()).toBe(SDP);
  });

  it('counts Content-Length in bytes, not characters', () => {
    expect(ok(parseMessage(invite([], 'ü€', 5))).body.toString()).toBe('ü€');
    expect(parseMessage(invite([], 'ü€', 6)).ok).toBe(false);
  });
});

describe('parseMessage: limits', () => {
  it('answers 513 above maxMessageBytes (RFC 3261 §21.5.14)', () => {
    expect(parseMessage(invite([], 'x'.repeat(2000)), { limits: { maxMessageBytes: 1000 } })).toEqual({ ok: false, error: { status: 513, reason: 'Message Too Large' } });
    expect(parseMessage(Buffer.from(invite([], 'x'.repeat(70_000))))).toEqual({ ok: false, error: { status: 513, reason: 'Message Too Large' } });
    expect(parseMessage(invite([], 'ü'.repeat(40_000)))).toEqual({ ok: false, error: { status: 513, reason: 'Message Too Large' } });
  });

  it('answers 400 above maxHeaders and maxLineLength', () => {
    expect(parseMessage(invite(['A: 1', 'B: 2']), { limits: { maxHeaders: 8 } })).toEqual({ ok: false, error: { status: 400, reason: 'Bad Request - too many header fields' } });
    expect(parseMessage(invite([`X-Long: ${'y'.repeat(200)}`]), { limits: { maxLineLength: 100 } })).toEqual({ ok: false, error: { status: 400, reason: 'Bad Request - line too long' } });
    // folding may not smuggle a longer header past the limit: it counts as written back
    expect(parseMessage(invite(['X-Folded: ' + 'y'.repeat(60), ' ' + 'z'.repeat(60)]), { limits: { maxLineLength: 100 } })).toEqual({ ok: false, error: { status: 400, reason: 'Bad Request - line too long' } });
  });
});

describe('parseMessage never throws', () => {
  it.each([
    ['empty', ''],
    ['only CRLF', '\r\n\r\n'],
    ['one word', 'INVITE'],
    ['binary', '\u0000\u0001\u0002\r\n\r\n'],
    ['start line only', 'INVITE sip:a@b SIP/2.0\r\n\r\n'],
    ['colon soup', 'INVITE sip:a@b SIP/2.0\r\n:::\r\n\r\n'],
    ['status line only', 'SIP/2.0 200 OK\r\n\r\n'],
  ])('%s → a 4xx/5xx result', (_name, text) => {
    const r = parseMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect([400, 505, 513]).toContain(r.error.status);
  });
});

describe('isKeepAlive (RFC 5626 §3.5.1)', () => {
  it('is true for CRLF-only datagrams', () => {
    expect(isKeepAlive('\r\n\r\n')).toBe(true);
    expect(isKeepAlive(Buffer.from('\r\n'))).toBe(true);
    expect(isKeepAlive('')).toBe(false);
    expect(isKeepAlive('\r\nINVITE')).toBe(false);
  });
});
