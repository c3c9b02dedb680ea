// Bencode, the encoding of rtpengine's NG control protocol: integers `i42e`, byte strings
// `4:spam`, lists `l…e`, dictionaries `d…e` with keys in byte order. Pure, no I/O.

export type BValue = number | string | Buffer | BValue[] | { [key: string]: BValue | undefined };

export class BencodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BencodeError';
  }
}

export function bencode(value: BValue): Buffer {
  const parts: Buffer[] = [];
  encodeInto(value, parts);
  return Buffer.concat(parts);
}

function encodeInto(value: BValue, out: Buffer[]): void {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new BencodeError(`bencode integers only, got ${value}`);
    out.push(Buffer.from(`i${value}e`, 'latin1'));
  } else if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    out.push(Buffer.from(`${b.length}:`, 'latin1'), b);
  } else if (Buffer.isBuffer(value)) {
    out.push(Buffer.from(`${value.length}:`, 'latin1'), value);
  } else if (Array.isArray(value)) {
    out.push(Buffer.from('l', 'latin1'));
    for (const v of value) encodeInto(v, out);
    out.push(Buffer.from('e', 'latin1'));
  } else {
    out.push(Buffer.from('d', 'latin1'));
    for (const key of Object.keys(value).sort()) {
      const v = value[key];
      if (v === undefined) continue;
      encodeInto(key, out);
      encodeInto(v, out);
    }
    out.push(Buffer.from('e', 'latin1'));
  }
}

/** Decodes one value; byte strings come back as UTF-8 text (NG replies are text: SDP, results). */
export function bdecode(input: Buffer): BValue {
  const pos = { i: 0 };
  const v = decodeAt(input, pos, 0);
  if (pos.i !== input.length) throw new BencodeError(`trailing bytes at ${pos.i}`);
  return v;
}

const MAX_DEPTH = 32;

function decodeAt(b: Buffer, pos: { i: number }, depth: number): BValue {
  if (depth > MAX_DEPTH) throw new BencodeError('nested too deep');
  if (pos.i >= b.length) throw new BencodeError('unexpected end');
  const c = b[pos.i];
  if (c === 0x69 /* i */) {
    const end = b.indexOf(0x65, pos.i);
    if (end < 0) throw new BencodeError('unterminated integer');
    const text = b.toString('latin1', pos.i + 1, end);
    if (!/^-?\d+$/.test(text)) throw new BencodeError(`bad integer "${text}"`);
    pos.i = end + 1;
    return Number(text);
  }
  if (c === 0x6c /* l */) {
    pos.i++;
    const list: BValue[] = [];
    while (b[pos.i] !== 0x65) list.push(decodeAt(b, pos, depth + 1));
    pos.i++;
    return list;
  }
  if (c === 0x64 /* d */) {
    pos.i++;
    const dict: { [key: string]: BValue } = {};
    while (b[pos.i] !== 0x65) {
      const key = decodeAt(b, pos, depth + 1);
      if (typeof key !== 'string') throw new BencodeError('dictionary key is not a string');
      dict[key] = decodeAt(b, pos, depth + 1);
    }
    pos.i++;
    return dict;
  }
  if (c >= 0x30 && c <= 0x39) {
    const colon = b.indexOf(0x3a, pos.i);
    if (colon < 0) throw new BencodeError('unterminated string length');
    const len = Number(b.toString('latin1', pos.i, colon));
    if (!Number.isInteger(len) || colon + 1 + len > b.length) throw new BencodeError('string runs past the end');
    pos.i = colon + 1 + len;
    return b.toString('utf8', colon + 1, colon + 1 + len);
  }
  throw new BencodeError(`unexpected byte 0x${c.toString(16)} at ${pos.i}`);
}
