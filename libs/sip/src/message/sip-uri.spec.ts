import { SipParseError } from './parse-error';
import { formatUri, parseUri, sipUri, SipUri, Uri } from './sip-uri';

function sip(text: string): SipUri {
  const u = parseUri(text);
  if (u.kind !== 'sip') throw new Error(`not a SIP URI: ${text}`);
  return u;
}

describe('SIP URI (RFC 3261 §19.1)', () => {
  it('reads user, password, host, port, parameters and headers', () => {
    const u = sip('sips:alice:secretword@atlanta.example.com:5061;transport=TCP;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent');
    expect(u).toMatchObject({ scheme: 'sips', user: 'alice', password: 'secretword', host: 'atlanta.example.com', hostType: 'domain', port: 5061 });
    expect([...u.params]).toEqual([
      ['transport', 'TCP'],
      ['lr', null],
      ['maddr', '239.255.255.1'],
    ]);
    expect([...u.headers]).toEqual([
      ['subject', 'project x'],
      ['priority', 'urgent'],
    ]);
  });

  it('has no user part when there is no "@"', () => {
    expect(sip('sip:registrar.biloxi.example.com')).toMatchObject({ user: undefined, host: 'registrar.biloxi.example.com', port: undefined });
  });

  it.each([
    ['sip:192.0.2.4', 'ipv4', '192.0.2.4'],
    ['sip:[2001:db8::10]:5070', 'ipv6', '[2001:db8::10]'],
    ['sip:[::1]', 'ipv6', '[::1]'],
    ['sip:host-1.example.com.', 'domain', 'host-1.example.com.'],
  ])('classifies the host of %s (RFC 3261 §25.1, RFC 5118 §4.5)', (text, hostType, host) => {
    expect(sip(text)).toMatchObject({ hostType, host });
  });

  it('decodes percent-escapes in the user part, as UTF-8 (RFC 3261 §19.1.2)', () => {
    expect(sip('sip:%61lice@example.com').user).toBe('alice');
    expect(sip('sip:sips%3Auser%40example.com@example.net').user).toBe('sips:user@example.com');
    expect(sip('sip:%C3%A9mile@example.com').user).toBe('émile');
  });

  it('takes a user holding ";" and "?" (user-unreserved) up to the "@"', () => {
    expect(sip('sip:user;par=u%40example.net@example.com')).toMatchObject({ user: 'user;par=u@example.net', host: 'example.com' });
  });

  it('lower-cases parameter names and keeps values as written', () => {
    expect([...sip('sip:a@b;Transport=UDP;LR').params]).toEqual([
      ['transport', 'UDP'],
      ['lr', null],
    ]);
  });

  it('reads a tel URI (RFC 3966 §3)', () => {
    expect(parseUri('tel:+1-201-555-0123;phone-context=example.com')).toEqual({
      kind: 'tel',
      number: '+1-201-555-0123',
      params: new Map([['phone-context', 'example.com']]),
    });
  });

  it('keeps other schemes as absolute URIs', () => {
    expect(parseUri('URN:service:sos')).toEqual({ kind: 'absolute', scheme: 'urn', value: 'service:sos' });
    expect(parseUri('mailto:alice@example.com')).toMatchObject({ kind: 'absolute', scheme: 'mailto' });
  });

  it.each([
    'sip:',
    'sip:@example.com',
    'sip:alice@',
    'sip:alice@example.com:',
    'sip:alice@example.com:65536',
    'sip:alice@example.com:5060x',
    'sip:alice@exa mple.com',
    'sip:alice@[2001:db8::1',
    'sip:alice@[]',
    'sip:alice@2001:db8::1',
    'sip:alice@256.1.1.1',
    'sip:alice@1.2.3',
    'sip:al%2ice@example.com',
    'sip:al%4@example.com',
    'sip:alice@example.com;=x',
    'sip:alice@example.com?',
    'sip:alice@example.com?a',
    'sip:alice@example.com>',
    '<sip:alice@example.com>',
    'tel:',
    'tel:+1 555',
    'no-colon',
    ':nothing',
    '1abc:x',
    'mailto:',
    'mailto:a b',
  ])('refuses %j with 400', (text) => {
    expect(() => parseUri(text)).toThrow(SipParseError);
    try {
      parseUri(text);
    } catch (e) {
      expect(e).toMatchObject({ status: 400, reason: 'Bad Request - malformed URI' });
    }
  });

  it.each([
    'sip:alice@atlanta.example.com',
    'sips:alice:pw@atlanta.example.com:5061;transport=tcp;lr?subject=hi',
    'sip:[2001:db8::10]:5070;maddr=[2001:db8::1]',
    'sip:+12125550101@gw.example.com;user=phone',
    'tel:+1-201-555-0123;phone-context=+1',
    'urn:service:sos',
  ])('formats %s back to the same text', (text) => {
    expect(formatUri(parseUri(text))).toBe(text);
  });

  it('escapes on output what the user part may not carry, so a round trip is lossless', () => {
    const u = sip('sip:sips%3Auser%40example.com@example.net');
    const text = formatUri(u);
    expect(text).toBe('sip:sips%3Auser%40example.com@example.net');
    expect(sip(text).user).toBe('sips:user@example.com');
    const odd: Uri = { ...sip('sip:x@example.com'), user: 'a b@c émile' };
    expect(sip(formatUri(odd)).user).toBe('a b@c émile');
  });

  it('builds a URI from parts and checks the host', () => {
    expect(formatUri(sipUri({ user: 'bob', host: 'biloxi.example.com', port: 5060, params: [['transport', 'tcp']] }))).toBe('sip:bob@biloxi.example.com:5060;transport=tcp');
    expect(() => sipUri({ host: 'bad host' })).toThrow(SipParseError);
  });
});
