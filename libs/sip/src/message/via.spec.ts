import { SipParseError } from './parse-error';
import { formatVia, parseViaList } from './via';

describe('Via (RFC 3261 §20.42)', () => {
  it('reads protocol, transport, sent-by and branch', () => {
    const [v] = parseViaList('SIP/2.0/UDP pc33.atlanta.example.com:5066;branch=z9hG4bK776asdhds');
    expect(v).toMatchObject({ protocol: 'SIP/2.0', transport: 'UDP', host: 'pc33.atlanta.example.com', port: 5066, branch: 'z9hG4bK776asdhds', hasRport: false });
  });

  it('reads rport as a flag and with a value (RFC 3581 §3, §4), and received', () => {
    const [a, b] = parseViaList('SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.1;received=192.0.2.9;rport=61000;branch=z9hG4bK2');
    expect(a).toMatchObject({ hasRport: true, rport: undefined, hostType: 'ipv4' });
    expect(b).toMatchObject({ hasRport: true, rport: 61000, received: '192.0.2.9' });
  });

  it('reads IPv6 references in sent-by and a bare IPv6 address in received (RFC 5118 §4.5)', () => {
    const [v] = parseViaList('SIP/2.0/TCP [2001:db8::9:1]:5070;branch=z9hG4bKas3;received=2001:db8::9:255');
    expect(v).toMatchObject({ host: '[2001:db8::9:1]', hostType: 'ipv6', port: 5070, received: '2001:db8::9:255' });
  });

  it('allows whitespace around "/", ":", ";" and "=" (RFC 3261 §25.1 SLASH, COLON, SEMI, EQUAL)', () => {
    const [v] = parseViaList('SIP  /  2.0  / tcp   host.example.com : 5060 ;  branch  =  z9hG4bKx ; ttl=16 ; maddr=224.2.0.1');
    expect(v).toMatchObject({ protocol: 'SIP/2.0', transport: 'TCP', port: 5060, branch: 'z9hG4bKx', ttl: 16, maddr: '224.2.0.1' });
  });

  it('splits a comma list and upper-cases transports', () => {
    expect(parseViaList('SIP/2.0/ws a.invalid;branch=1 , SIP/2.0/wss b.invalid, SIP/2.0/sctp c.invalid').map((v) => v.transport)).toEqual(['WS', 'WSS', 'SCTP']);
  });

  it.each([
    '',
    'SIP/2.0/UDP',
    'SIP/2.0 host',
    'SIP/2.0/UDPhost',
    'SIP/2.0/UDP host:',
    'SIP/2.0/UDP host:99999',
    'SIP/2.0/UDP host;branch',
    'SIP/2.0/UDP host;rport=abc',
    'SIP/2.0/UDP host;ttl=300',
    'SIP/2.0/UDP host;received',
    'SIP/2.0/UDP host;;branch=1',
    'SIP/2.0/UDP host garbage',
    'SIP/2.0/UDP host,',
    'SIP/2.0/UDP [::1',
    'SIP/2.0/UDP 1.2.3.4.5',
  ])('refuses %j', (text) => {
    expect(() => parseViaList(text)).toThrow(new SipParseError(400, 'Bad Request - malformed Via header'));
  });

  it('formats a new Via and writes a parsed one back', () => {
    expect(formatVia({ transport: 'tcp', host: '192.0.2.1', port: 5060, branch: 'z9hG4bK1', rport: true })).toBe('SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK1;rport');
    const [v] = parseViaList('SIP/2.0/UDP h.example.com:5060;branch=z9hG4bK1;received=192.0.2.1;rport=5070');
    expect(formatVia(v)).toBe('SIP/2.0/UDP h.example.com:5060;branch=z9hG4bK1;received=192.0.2.1;rport=5070');
  });
});
