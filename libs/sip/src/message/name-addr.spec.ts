import { formatNameAddr, parseContactValue, parseNameAddrList, parseNameAddrValue } from './name-addr';
import { SipParseError } from './parse-error';
import { parseUri } from './sip-uri';

describe('name-addr / addr-spec (RFC 3261 §20.10, §25.1)', () => {
  it('reads a quoted display name with quoted-pairs, the URI and the tag', () => {
    const v = parseNameAddrValue('"J Rosenberg \\\\\\"" <sip:jdrosen@example.com;transport=tcp>;tag=98asjd8', 'From');
    expect(v.displayName).toBe('J Rosenberg \\"');
    expect(v.uri).toMatchObject({ kind: 'sip', user: 'jdrosen', host: 'example.com' });
    expect(v.uri.kind === 'sip' && v.uri.params.get('transport')).toBe('tcp');
    expect(v.tag).toBe('98asjd8');
  });

  it('reads a token display name, collapsing whitespace, with or without a space before "<"', () => {
    expect(parseNameAddrValue('Bob   Smith <sip:bob@example.com>', 'To').displayName).toBe('Bob Smith');
    expect(parseNameAddrValue('caller<sip:caller@example.com>;tag=323', 'From')).toMatchObject({ displayName: 'caller', tag: '323' });
  });

  it('treats parameters after an addr-spec as header parameters (RFC 3261 §20.10)', () => {
    const v = parseNameAddrValue('sip:alice@atlanta.example.com;tag=88sja8x', 'From');
    expect(v.uri.kind === 'sip' && v.uri.params.size).toBe(0);
    expect(v.tag).toBe('88sja8x');
  });

  it('allows whitespace around ";" and "=" in parameters', () => {
    const v = parseNameAddrValue('<sip:a@b> ;  tag = x1 ; q=0.5;lr', 'Contact');
    expect([...v.params]).toEqual([
      ['tag', 'x1'],
      ['q', '0.5'],
      ['lr', null],
    ]);
  });

  it('keeps quoted parameter values with their quotes', () => {
    const v = parseNameAddrValue('<sip:a@b>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"', 'Contact');
    expect(v.params.get('+sip.instance')).toBe('"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"');
  });

  it('splits a list on commas outside quotes and brackets', () => {
    const list = parseNameAddrList('"Doe, John" <sip:john@example.com;lr>, <sip:p2.example.com;lr>,sip:p3.example.com', 'Route');
    expect(list.map((v) => v.displayName)).toEqual(['Doe, John', undefined, undefined]);
    expect(list.map((v) => v.uri.kind === 'sip' && v.uri.host)).toEqual(['example.com', 'p2.example.com', 'p3.example.com']);
  });

  it('reads Contact: * (RFC 3261 §20.10)', () => {
    expect(parseContactValue(' * ')).toBe('*');
    expect(parseContactValue('<sip:a@b>;expires=60')).toHaveLength(1);
  });

  it.each([
    ['"unterminated <sip:a@b>', 'To'],
    ['<sip:a@b', 'To'],
    ['Bob <>', 'To'],
    ['Bell, Alexander <sip:a@b>', 'From'],
    ['<sip:a@b>, <sip:c@d>', 'From'],
    ['<sip:a@b>;', 'From'],
    ['<sip:a@b>;tag="open', 'From'],
    ['<sip:a@b> junk', 'From'],
    ['sip:a@b?x=y', 'Contact'],
    ['< sip:a@b >', 'To'],
    ['', 'To'],
  ])('refuses %j as a %s header', (text, what) => {
    expect(() => parseNameAddrValue(text, what)).toThrow(new SipParseError(400, `Bad Request - malformed ${what} header`));
  });

  it('formats with angle brackets and a quoted, escaped display name', () => {
    expect(formatNameAddr({ displayName: 'Alice "A"', uri: parseUri('sip:alice@example.com'), params: [['tag', '1']] })).toBe('"Alice \\"A\\"" <sip:alice@example.com>;tag=1');
    const parsed = parseNameAddrValue('"Alice \\"A\\"" <sip:alice@example.com>;tag=1', 'From');
    expect(parseNameAddrValue(formatNameAddr(parsed), 'From')).toEqual(parsed);
  });
});
