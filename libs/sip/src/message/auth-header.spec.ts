import { formatAuthValue, parseAuthValues } from './auth-header';
import { SipParseError } from './parse-error';

describe('authentication headers (RFC 3261 §20.7, §20.27, §20.44)', () => {
  it('reads Digest credentials, unquoting values', () => {
    const [c] = parseAuthValues(
      ['Digest username="bob", realm="biloxi.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.example.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"'],
      'Authorization',
    );
    expect(c.scheme).toBe('Digest');
    expect(Object.fromEntries(c.params)).toMatchObject({ username: 'bob', uri: 'sip:bob@biloxi.example.com', qop: 'auth', nc: '00000001' });
  });

  it('tells challenges apart where a token is not followed by "="', () => {
    const list = parseAuthValues(['Digest realm="a", nonce="1", algorithm=MD5, Digest realm="a", nonce="2", algorithm=SHA-256', 'Basic realm="b"'], 'WWW-Authenticate');
    expect(list.map((c) => [c.scheme, c.params.get('algorithm') ?? c.params.get('realm')])).toEqual([
      ['Digest', 'MD5'],
      ['Digest', 'SHA-256'],
      ['Basic', 'b'],
    ]);
  });

  it('resolves quoted-pairs and keeps commas inside quotes', () => {
    const [c] = parseAuthValues(['Digest realm="a\\"b", qop="auth,auth-int"'], 'WWW-Authenticate');
    expect(c.params.get('realm')).toBe('a"b');
    expect(c.params.get('qop')).toBe('auth,auth-int');
  });

  it('reads the token68 form (RFC 7235 §2.1)', () => {
    expect(parseAuthValues(['Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='], 'Authorization')).toEqual([{ scheme: 'Basic', params: new Map(), token68: 'QWxhZGRpbjpvcGVuIHNlc2FtZQ==' }]);
  });

  it.each(['', 'Digest realm="open', 'Digest realm=,nonce="1"', 'Digest realm="a" nonce="b"', '"Digest" realm="a"'])('refuses %j', (text) => {
    expect(() => parseAuthValues([text], 'Authorization')).toThrow(new SipParseError(400, 'Bad Request - malformed Authorization header'));
  });

  it('writes credentials with qop, nc and algorithm as tokens and the rest quoted', () => {
    const [c] = parseAuthValues(['Digest username="bob", qop=auth, nc=00000001, algorithm=MD5, response="ab"'], 'Authorization');
    expect(formatAuthValue(c, 'credentials')).toBe('Digest username="bob", qop=auth, nc=00000001, algorithm=MD5, response="ab"');
    const [ch] = parseAuthValues(['Digest realm="r", qop="auth", stale=FALSE'], 'WWW-Authenticate');
    expect(formatAuthValue(ch, 'challenge')).toBe('Digest realm="r", qop="auth", stale=FALSE');
  });
});
