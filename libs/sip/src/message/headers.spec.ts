import { canonicalHeaderName, headerKey } from './header-names';
import { SipHeaders } from './headers';
import { splitList } from './split';

describe('header names (RFC 3261 §7.3.1, §7.3.3)', () => {
  it.each([
    ['v', 'via'],
    ['VIA', 'via'],
    ['i', 'call-id'],
    ['m', 'contact'],
    ['e', 'content-encoding'],
    ['l', 'content-length'],
    ['f', 'from'],
    ['t', 'to'],
    ['k', 'supported'],
    ['c', 'content-type'],
    ['s', 'subject'],
    ['o', 'event'],
    ['u', 'allow-events'],
    ['r', 'refer-to'],
    ['b', 'referred-by'],
    ['x', 'session-expires'],
    ['y', 'identity'],
    ['X-Custom', 'x-custom'],
  ])('%s is looked up as %s', (name, key) => {
    expect(headerKey(name)).toBe(key);
  });

  it('spells known names the conventional way', () => {
    expect(canonicalHeaderName('call-id')).toBe('Call-ID');
    expect(canonicalHeaderName('www-authenticate')).toBe('WWW-Authenticate');
    expect(canonicalHeaderName('X-Foo')).toBe('X-Foo');
  });
});

describe('splitList (RFC 3261 §7.3.1)', () => {
  it('splits on commas outside quoted strings and angle brackets', () => {
    expect(splitList('"a, \\"b" <sip:x@y;p=1,2>;q=1 ,  c,,d ')).toEqual(['"a, \\"b" <sip:x@y;p=1,2>;q=1', 'c', 'd']);
  });
});

describe('SipHeaders', () => {
  it('matches names in any case and in compact form, keeping rows in order', () => {
    const h = new SipHeaders([
      ['Via', 'SIP/2.0/UDP a'],
      ['v', 'SIP/2.0/UDP b, SIP/2.0/UDP c'],
      ['Contact', '<sip:x@y>'],
    ]);
    expect(h.get('VIA')).toBe('SIP/2.0/UDP a');
    expect(h.getAll('via')).toEqual(['SIP/2.0/UDP a', 'SIP/2.0/UDP b, SIP/2.0/UDP c']);
    expect(h.values('v')).toEqual(['SIP/2.0/UDP a', 'SIP/2.0/UDP b', 'SIP/2.0/UDP c']);
    expect(h.has('m')).toBe(true);
    expect(h.size).toBe(3);
  });

  it('does not split headers whose values hold commas of their own', () => {
    const h = new SipHeaders({ Date: 'Sat, 13 Nov 2010 23:29:00 GMT', Authorization: 'Digest a="1", b="2"' });
    expect(h.values('date')).toEqual(['Sat, 13 Nov 2010 23:29:00 GMT']);
    expect(h.values('authorization')).toHaveLength(1);
  });

  it('prepends a row above the first of its name, as a proxy adds its Via (RFC 3261 §16.6)', () => {
    const h = new SipHeaders([
      ['Max-Forwards', '70'],
      ['Via', 'SIP/2.0/UDP a'],
    ]);
    h.prepend('Via', 'SIP/2.0/UDP proxy');
    expect(h.fields().map((f) => f.value)).toEqual(['70', 'SIP/2.0/UDP proxy', 'SIP/2.0/UDP a']);
  });

  it('shifts the first element of a list, whether alone in a row or not (RFC 3261 §16.4, §18.1.2)', () => {
    const h = new SipHeaders([
      ['Route', '<sip:p1;lr>, <sip:p2;lr>'],
      ['Route', '<sip:p3;lr>'],
    ]);
    expect(h.shiftValue('route')).toBe('<sip:p1;lr>');
    expect(h.getAll('route')).toEqual(['<sip:p2;lr>', '<sip:p3;lr>']);
    expect(h.shiftValue('route')).toBe('<sip:p2;lr>');
    expect(h.shiftValue('route')).toBe('<sip:p3;lr>');
    expect(h.shiftValue('route')).toBeUndefined();
  });

  it('sets, deletes and counts changes', () => {
    const h = new SipHeaders({ Allow: ['INVITE', 'ACK'], 'X-A': 1 });
    const v0 = h.version;
    h.set('allow', 'BYE');
    expect(h.getAll('Allow')).toEqual(['BYE']);
    expect(h.delete('x-a')).toBe(1);
    expect(h.delete('x-a')).toBe(0);
    expect(h.version).toBe(v0 + 2);
  });

  it('refuses names that are not tokens and values holding CR or LF (header injection)', () => {
    const h = new SipHeaders();
    expect(() => h.append('Bad Name', 'x')).toThrow(TypeError);
    expect(() => h.append('X-A', 'x\r\nVia: evil')).toThrow(TypeError);
  });
});
