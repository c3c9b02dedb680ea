import { bdecode, bencode, BencodeError } from './bencode';

describe('bencode (rtpengine NG encoding)', () => {
  it('encodes dictionaries with sorted keys, skipping undefined', () => {
    expect(bencode({ command: 'offer', 'call-id': 'abc', flags: ['trust-address'], n: 3, x: undefined }).toString()).toBe(
      'd7:call-id3:abc7:command5:offer5:flagsl13:trust-addresse1:ni3ee',
    );
  });

  it('counts string lengths in bytes, not characters', () => {
    expect(bencode('日本').toString('latin1').startsWith('6:')).toBe(true);
    expect(bdecode(bencode('日本'))).toBe('日本');
  });

  it('round-trips nested values', () => {
    const v = { result: 'ok', sdp: 'v=0\r\n', list: [1, -2, 'a', { k: 'v' }] };
    expect(bdecode(bencode(v))).toEqual(v);
  });

  it.each(['', 'i12', 'l', 'd3:abc', '5:abc', 'x', 'di1ei2ee', 'i1x2e', '3:abcTRAILING'])('rejects malformed input %j with BencodeError', (s) => {
    expect(() => bdecode(Buffer.from(s, 'latin1'))).toThrow(BencodeError);
  });

  it('rejects absurd nesting instead of overflowing the stack', () => {
    expect(() => bdecode(Buffer.from('l'.repeat(10_000) + 'e'.repeat(10_000)))).toThrow(BencodeError);
  });
});
