import { FramerOutput, SipStreamFramer } from './stream.framer';

function message(callId: string, body = ''): string {
  return [
    'OPTIONS sip:bob@biloxi.example.com SIP/2.0',
    'Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bK' + callId,
    'To: <sip:bob@biloxi.example.com>',
    'From: <sip:alice@atlanta.example.com>;tag=1',
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

function callIds(out: FramerOutput[]): string[] {
  return out.map((o) => (o.kind === 'message' ? o.message.callId() : o.kind === 'error' ? `error ${o.error.status} ${o.error.reason}${o.fatal ? ' (fatal)' : ''}` : o.kind));
}

describe('SipStreamFramer (RFC 3261 §18.3)', () => {
  it('cuts several messages out of one chunk', () => {
    const f = new SipStreamFramer();
    expect(callIds(f.push(message('a') + message('b', 'hello\r\n\r\nworld') + message('c')))).toEqual(['a', 'b', 'c']);
    expect(f.bufferedBytes).toBe(0);
  });

  it('reassembles a message split anywhere, body included', () => {
    const wire = Buffer.from(message('a', 'body with \r\n\r\n inside') + message('b'));
    for (const size of [1, 2, 3, 7, 50]) {
      const f = new SipStreamFramer();
      const out: FramerOutput[] = [];
      for (let i = 0; i < wire.length; i += size) out.push(...f.push(wire.subarray(i, i + size)));
      expect(callIds(out)).toEqual(['a', 'b']);
      const first = out[0];
      expect(first.kind === 'message' && first.message.body.toString()).toBe('body with \r\n\r\n inside');
    }
  });

  it('ignores CRLF keep-alives between messages, and can report "\\r\\n\\r\\n" pings (RFC 5626 §3.5.1)', () => {
    expect(callIds(new SipStreamFramer().push('\r\n\r\n' + message('a') + '\r\n\r\n\r\n' + message('b')))).toEqual(['a', 'b']);
    const f = new SipStreamFramer({ reportKeepAlives: true });
    expect(callIds([...f.push('\r\n'), ...f.push('\r\n'), ...f.push(message('a'))])).toEqual(['keepalive', 'a']);
  });

  it('gives up on the stream when Content-Length is missing: a fatal 400', () => {
    const f = new SipStreamFramer();
    const noLength = message('a').replace('Content-Length: 0\r\n', '');
    expect(callIds(f.push(noLength + message('b')))).toEqual(['error 400 Bad Request - missing Content-Length header (fatal)']);
    expect(f.failed).toBe(true);
    expect(f.push(message('c'))).toEqual([]);
    f.reset();
    expect(callIds(f.push(message('d')))).toEqual(['d']);
  });

  it('skips a bad message whose length is known and goes on', () => {
    const bad = message('x').replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE');
    expect(callIds(new SipStreamFramer().push(message('a') + bad + message('b')))).toEqual(['a', 'error 400 Bad Request - CSeq method does not match request method', 'b']);
  });

  it('answers 513 when a header section or a whole message would exceed the limit', () => {
    const f = new SipStreamFramer({ limits: { maxMessageBytes: 300 } });
    expect(callIds(f.push('OPTIONS sip:a@b SIP/2.0\r\nX-Pad: ' + 'p'.repeat(400)))).toEqual(['error 513 Message Too Large (fatal)']);
    const g = new SipStreamFramer({ limits: { maxMessageBytes: 300 } });
    expect(callIds(g.push(message('a', 'z'.repeat(200))))).toEqual(['error 513 Message Too Large (fatal)']);
  });

  it('refuses two Content-Length rows, which make the frame ambiguous', () => {
    const twice = message('a').replace('Content-Length: 0', 'Content-Length: 0\r\nl: 5');
    expect(callIds(new SipStreamFramer().push(twice))).toEqual(['error 400 Bad Request - multiple Content-Length headers (fatal)']);
  });

  it('holds a partial message without emitting anything', () => {
    const f = new SipStreamFramer();
    const wire = message('a', 'payload');
    expect(f.push(wire.slice(0, wire.length - 3))).toEqual([]);
    expect(f.bufferedBytes).toBe(wire.length - 3);
    expect(callIds(f.push(wire.slice(wire.length - 3)))).toEqual(['a']);
  });
});
