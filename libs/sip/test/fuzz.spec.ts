// Fuzz-ish robustness: 20,000 random and mutated messages. parseMessage() must never throw
// and must always return a well-formed result; whatever it accepts must serialize and parse
// again; typed views must fail only with SipParseError; the stream framer must not throw
// either. The generator is seeded, so a failure replays exactly.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, serialize, SipMessage, SipParseError, SipStreamFramer } from '../src';

/** xorshift32: small, deterministic, good enough to pick mutations. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const corpusDir = join(__dirname, 'corpus');
const seeds: Buffer[] = ['valid', 'malformed'].flatMap((kind) =>
  readdirSync(join(corpusDir, kind))
    .filter((f) => f.endsWith('.sip'))
    .map((f) => readFileSync(join(corpusDir, kind, f))),
);

/** Bytes that matter to the grammar, so mutations hit the parser's decisions. */
const INTERESTING = Buffer.from('\r\n \t:;,="<>[]@%?&/\\\'*.-0123456789\x00\x7f\xff\xc3');
const FRAGMENTS = ['\r\n', '\r\n\r\n', '\r\n ', 'Via: ', 'SIP/2.0', ';branch=', ';tag=', '<sip:', '>', '"', '\\', '%', '%0', '[::1]', ':99999', 'Content-Length: ', 'l: 9999', 'CSeq: 1 ', 'Call-ID: ', ',', 'Contact: *', 'To: ', 'From: ', 'sip:', 'tel:', ' SIP/2.0\r\n', 'INVITE ', 'SIP/2.0 200 OK\r\n'].map((s) => Buffer.from(s, 'latin1'));

function mutate(src: Buffer, random: () => number): Buffer {
  let buf = Buffer.from(src);
  const steps = 1 + Math.floor(random() * 6);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(random() * (buf.length + 1));
    switch (Math.floor(random() * 8)) {
      case 0: // flip a byte
        if (buf.length > 0) buf[Math.min(at, buf.length - 1)] = Math.floor(random() * 256);
        break;
      case 1: // put in a grammar byte
        buf = Buffer.concat([buf.subarray(0, at), INTERESTING.subarray(Math.floor(random() * INTERESTING.length)).subarray(0, 1), buf.subarray(at)]);
        break;
      case 2: // delete a run
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1 + Math.floor(random() * 20))]);
        break;
      case 3: // truncate
        buf = buf.subarray(0, at);
        break;
      case 4: // insert a fragment
        buf = Buffer.concat([buf.subarray(0, at), FRAGMENTS[Math.floor(random() * FRAGMENTS.length)], buf.subarray(at)]);
        break;
      case 5: {
        // duplicate a line
        const text = buf.toString('latin1').split('\r\n');
        const i = Math.floor(random() * text.length);
        text.splice(i, 0, text[i]);
        buf = Buffer.from(text.join('\r\n'), 'latin1');
        break;
      }
      case 6: {
        // swap two lines
        const text = buf.toString('latin1').split('\r\n');
        const i = Math.floor(random() * text.length);
        const j = Math.floor(random() * text.length);
        [text[i], text[j]] = [text[j], text[i]];
        buf = Buffer.from(text.join('\r\n'), 'latin1');
        break;
      }
      default: // splice in a piece of another message
      {
        const other = seeds[Math.floor(random() * seeds.length)];
        const from = Math.floor(random() * other.length);
        buf = Buffer.concat([buf.subarray(0, at), other.subarray(from, from + Math.floor(random() * 200)), buf.subarray(at)]);
      }
    }
  }
  return buf;
}

function randomBytes(random: () => number): Buffer {
  const n = Math.floor(random() * 600);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = random() < 0.3 ? INTERESTING[Math.floor(random() * INTERESTING.length)] : Math.floor(random() * 256);
  return b;
}

/** Every typed view either works or throws SipParseError: nothing else escapes. */
function touchEverything(m: SipMessage): void {
  for (const f of m.headers) {
    try {
      m.validateHeader(f.name);
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
    }
  }
  if (m.kind === 'request' && m.uri === undefined) throw new Error('request without a URI');
}

const TOTAL = 20_000;

describe('fuzz: parseMessage on random and mutated input', () => {
  it(`never throws over ${TOTAL.toLocaleString('en-US')} inputs, always returns a well-formed result`, () => {
    const random = rng(0x5eed);
    let accepted = 0;
    for (let n = 0; n < TOTAL; n++) {
      const input = n % 10 === 0 ? randomBytes(random) : mutate(seeds[n % seeds.length], random);
      const asString = n % 7 === 0;
      let r;
      try {
        r = parseMessage(asString ? input.toString('latin1') : input, n % 5 === 0 ? { framing: 'stream' } : undefined);
      } catch (e) {
        throw new Error(`input #${n} threw ${String(e)}: ${JSON.stringify(input.toString('latin1'))}`);
      }
      if (r.ok) {
        accepted++;
        touchEverything(r.message);
        // what we accept we can write, and read back
        const again = parseMessage(serialize(r.message));
        if (!again.ok) throw new Error(`input #${n} accepted but its serialization is refused (${again.error.reason}): ${JSON.stringify(input.toString('latin1'))}`);
      } else if (r.ok !== false || ![400, 505, 513].includes(r.error.status) || typeof r.error.reason !== 'string' || r.error.reason.length === 0) {
        // plain checks rather than expect() in this loop: 20,000 matcher calls cost seconds
        throw new Error(`input #${n} gave a malformed result ${JSON.stringify(r)}`);
      }
    }
    // the mutations are mild enough that some inputs still parse, and harsh enough that most do not
    expect(accepted).toBeGreaterThan(TOTAL / 100);
    expect(accepted).toBeLessThan(TOTAL);
  }, 120_000);

  it('the stream framer never throws on mutated streams cut at random places', () => {
    const random = rng(0xf4a3e);
    for (let n = 0; n < 500; n++) {
      const stream = Buffer.concat(Array.from({ length: 1 + Math.floor(random() * 4) }, () => mutate(seeds[Math.floor(random() * seeds.length)], random)));
      const framer = new SipStreamFramer({ limits: { maxMessageBytes: 16 * 1024 } });
      let off = 0;
      while (off < stream.length) {
        const size = 1 + Math.floor(random() * 300);
        for (const out of framer.push(stream.subarray(off, off + size))) {
          if (out.kind === 'message') touchEverything(out.message);
          else if (out.kind === 'error' && ![400, 505, 513].includes(out.error.status)) throw new Error(`status ${out.error.status}`);
        }
        off += size;
      }
    }
  }, 60_000);
});
