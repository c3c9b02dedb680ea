import { parseMessage, SipRequest } from '@pbx/sip';
import { stampReceived } from './via-stamp';

function invite(via: string): SipRequest {
  const r = parseMessage(`OPTIONS sip:a@b SIP/2.0\r\nVia: ${via}\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`);
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad fixture');
  return r.message;
}

describe('stampReceived (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it('adds received when the Via host is not the source address', () => {
    const r = invite('SIP/2.0/UDP phone.local:5060;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK0');
    expect(stampReceived(r, '192.0.2.1', 5060)).toBe(true);
    expect(r.via()[0].received).toBe('192.0.2.1');
    expect(r.via()[0].branch).toBe('z9hG4bK1');
    expect(r.via()).toHaveLength(2);
    expect(r.via()[1].host).toBe('10.0.0.9');
  });

  it('fills in rport (and received) when the client asked for it', () => {
    const r = invite('SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1');
    stampReceived(r, '192.0.2.1', 40123);
    expect(r.topVia()?.rport).toBe(40123);
    expect(r.topVia()?.received).toBe('192.0.2.1');
  });

  it('leaves a Via alone when the host is the source and no rport was asked', () => {
    const r = invite('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1');
    expect(stampReceived(r, '192.0.2.1', 5060)).toBe(false);
    expect(r.headers.get('via')).toBe('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1');
  });
});
