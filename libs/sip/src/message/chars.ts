// Character classes of the RFC 3261 §25.1 grammar, as one lookup table so that the hot
// path tests a character with a single array read instead of a regular expression.

export const SP = 0x20;
export const HT = 0x09;
export const CR = 0x0d;
export const LF = 0x0a;
export const DQUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
export const SEMI = 0x3b;
export const COMMA = 0x2c;
export const EQUAL = 0x3d;
export const SLASH = 0x2f;
export const LAQUOT = 0x3c;
export const RAQUOT = 0x3e;
export const AT = 0x40;
export const PERCENT = 0x25;
export const QUESTION = 0x3f;
export const AMP = 0x26;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const C_TOKEN = 1 << 0;
/** word: token characters plus ( ) < > : \ DQUOTE / [ ] ? { } (Call-ID) */
export const C_WORD = 1 << 1;
/** user = unreserved / user-unreserved (escaped handled apart) */
export const C_USER = 1 << 2;
/** password = unreserved / "&" / "=" / "+" / "$" / "," (escaped handled apart) */
export const C_PASSWORD = 1 << 3;
/** paramchar = param-unreserved / unreserved (escaped handled apart) */
export const C_PARAM = 1 << 4;
/** hname / hvalue = hnv-unreserved / unreserved (escaped handled apart) */
export const C_HNV = 1 << 5;
/** hostname characters: alphanum / "-" / "." (plus "_", see sip-uri.ts) */
export const C_HOST = 1 << 6;
/** URI scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
export const C_SCHEME = 1 << 7;
export const C_DIGIT = 1 << 8;
/** characters allowed in an absoluteURI (uric without escapes) */
export const C_URIC = 1 << 9;
export const C_HEX = 1 << 10;
/** characters of an IPv6 reference between the brackets */
export const C_IPV6 = 1 << 11;

export const CHARS = new Uint16Array(256);

function mark(chars: string, flag: number): void {
  for (let i = 0; i < chars.length; i++) CHARS[chars.charCodeAt(i)] |= flag;
}

const ALPHA = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGIT = '0123456789';
const ALNUM = ALPHA + DIGIT;
const MARK = "-_.!~*'()";
const UNRESERVED = ALNUM + MARK;

mark(ALNUM + "-.!%*_+`'~", C_TOKEN);
mark(ALNUM + "-.!%*_+`'~()<>:\\\"/[]?{}", C_WORD);
mark(UNRESERVED + '&=+$,;?/', C_USER);
mark(UNRESERVED + '&=+$,', C_PASSWORD);
mark(UNRESERVED + '[]/:&+$', C_PARAM);
mark(UNRESERVED + '[]/?:+$', C_HNV);
mark(ALNUM + '-._', C_HOST);
mark(ALNUM + '+-.', C_SCHEME);
mark(DIGIT, C_DIGIT);
mark(UNRESERVED + ';/?:@&=+$,%[]#', C_URIC);
mark(DIGIT + 'abcdefABCDEF', C_HEX);
mark(DIGIT + 'abcdefABCDEF:.', C_IPV6);

export function isWs(c: number): boolean {
  return c === SP || c === HT;
}

/** LWS including line breaks, for values that may still carry folding. */
export function isLws(c: number): boolean {
  return c === SP || c === HT || c === CR || c === LF;
}

export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
