import { parseMessage } from './message.parser';
import { replyToUnparseable } from './malformed-reply';

const bad = (headers: string[]): Buffer => Buffer.from(['INVITE sip:1002@pbx.test SIP/2.0', ...headers, '', ''].join('\r\n'), 'latin1');
const core = ['Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc', 'From: <sip:1001@pbx.test>;tag=1', 'To: <sip:1002@pbx.test>', 'Call-ID: c1', 'CSeq: 1 INVITE'];

describe('replyToUnparseable (SPEC B-1: malformed request → 400 naming the fault)', () => {
  it('answers a request with a broken header using its own Via/From/To/Call-ID/CSeq rows', () => {
    const raw = bad([...core, 'Max-Forwards: lots', 'Content-Length: 0']);
    const parsed = parseMessage(raw);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const reply = replyToUnparseable(raw, parsed.error, 'x1');
    expect(reply).toBeDefined();
    const back = parseMessage(reply ?? Buffer.alloc(0));
    expect(back.ok).toBe(true);
    if (!back.ok || back.message.kind !== 'response') throw new Error('not a response');
    expect(back.message.status).toBe(400);
    expect(back.message.reason).toMatch(/Max-Forwards/i);
    expect(back.message.to().tag).toBe('x1');
    expect(back.message.callId()).toBe('c1');
    expect(back.message.topVia()?.branch).toBe('z9hG4bKabc');
  });

  it('keeps a To tag that is already there', () => {
    const raw = bad([core[0], core[1], 'To: <sip:1002@pbx.test>;tag=9', core[3], core[4]]);
    const text = replyToUnparseable(raw, { status: 400, reason: 'Bad Request - x' }, 'x1')?.toString() ?? '';
    expect(text).toContain('To: <sip:1002@pbx.test>;tag=9\r\n');
  });

  it.each([
    ['a response', Buffer.from('SIP/2.0 200 OK\r\nVia: x\r\n\r\n')],
    ['an ACK', Buffer.from(['ACK sip:a@b SIP/2.0', ...core, '', ''].join('\r\n'))],
    ['a request without Via', bad(core.slice(1))],
    ['garbage', Buffer.from([0xff, 0x00, 0x13, 0x37])],
    ['an empty datagram', Buffer.alloc(0)],
  ])('returns undefined for %s', (_what, raw) => {
    expect(replyToUnparseable(raw, { status: 400, reason: 'Bad Request - x' }, 't')).toBeUndefined();
  });

  it('never lets a reason phrase break the status line', () => {
    const text = replyToUnparseable(bad(core), { status: 400, reason: 'Bad\r\nInjected: yes' }, 't')?.toString() ?? '';
    expect(text.split('\r\n')[0]).toBe('SIP/2.0 400 Bad  Injected: yes');
  });
});
