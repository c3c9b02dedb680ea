import { parseUri } from '@pbx/sip';
import { dialNumber, logNumber, userOf } from './party-numbers';

describe('party numbers', () => {
  it('reads the user part of a SIP URI, none of a tel: URI', () => {
    expect(userOf(parseUri('sip:0312345679@10.0.0.1:5060'))).toBe('0312345679');
    expect(userOf(parseUri('tel:+81312345679'))).toBeUndefined();
  });

  it.each([
    ['0312345679', '0312345679'],
    ['+81-3-1234-5679', '+81312345679'],
    ['anonymous', undefined],
    ['', undefined],
    ['1'.repeat(32), '1'.repeat(32)],
    ['1'.repeat(33), undefined], // too long to be a number: unknown, not cut
  ])('dialNumber(%j) → %j', (input, expected) => {
    expect(dialNumber(input)).toBe(expected);
  });

  it('keeps numbers up to 64 characters and cuts longer ones to exactly 64 with a mark', () => {
    expect(logNumber('1001')).toBe('1001');
    expect(logNumber('x'.repeat(64))).toBe('x'.repeat(64));
    const cut = logNumber('1'.repeat(70));
    expect(cut).toHaveLength(64);
    expect(cut.endsWith('…')).toBe(true);
    expect(logNumber('')).toBe('unknown');
  });
});
