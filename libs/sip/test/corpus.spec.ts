// The message corpus under test/corpus: every valid message parses, survives a round trip
// and matches its expectations; every malformed one is refused with the status and reason
// that name its fault. Cases are written in the spirit of RFC 4475 (SIP torture tests).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, ParseOptions, serialize, SipMessage, SipStreamFramer } from '../src';

interface ValidCase {
  file: string;
  about: string;
  expect: Record<string, unknown>;
}
interface MalformedCase {
  file: string;
  about: string;
  status: number;
  reason: string;
  framing?: 'datagram' | 'stream';
  eagerHeaders?: string[];
}

const dir = join(__dirname, 'corpus');
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { valid: ValidCase[]; malformed: MalformedCase[] };
const bytes = (kind: 'valid' | 'malformed', file: string): Buffer => readFileSync(join(dir, kind, file));

/** Every header with a typed view, parsed now: a valid message has no bad value anywhere. */
function validateAll(m: SipMessage): void {
  for (const f of m.headers) m.validateHeader(f.name);
}

function checkExpectations(m: SipMessage, expect: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(expect)) {
    switch (key) {
      case 'kind':
        same(key, m.kind, value);
        break;
      case 'method':
        same(key, m.kind === 'request' ? m.method : undefined, value);
        break;
      case 'status':
        same(key, m.kind === 'response' ? m.status : undefined, value);
        break;
      case 'reason':
        same(key, m.kind === 'response' ? m.reason : undefined, value);
        break;
      case 'bodyLength':
        same(key, m.body.length, value);
        break;
      case 'body':
        same(key, m.body.toString('utf8'), value);
        break;
      case 'callId':
        same(key, m.callId(), value);
        break;
      case 'viaCount':
        same(key, m.via().length, value);
        break;
      case 'fromTag':
        same(key, m.from().tag, value);
        break;
      case 'toTag':
        same(key, m.to().tag, value);
        break;
      case 'fromDisplayName':
        same(key, m.from().displayName, value);
        break;
      case 'maxForwards':
        same(key, m.maxForwards(), value);
        break;
      case 'cseq':
        same(key, [m.cseq().seq, m.cseq().method], value);
        break;
      case 'expires':
        same(key, m.expires(), value);
        break;
      case 'contactStar':
        same(key, m.contact() === '*', value);
        break;
      case 'contactCount': {
        const c = m.contact();
        same(key, c === '*' ? -1 : c.length, value);
        break;
      }
      case 'contactUser': {
        const c = m.contact();
        same(key, c !== '*' && c[0].uri.kind === 'sip' ? c[0].uri.user : undefined, value);
        break;
      }
      case 'recordRouteCount':
        same(key, m.recordRoute().length, value);
        break;
      case 'requestUser':
      case 'requestHost':
      case 'requestScheme':
      case 'telNumber': {
        if (m.kind !== 'request') throw new Error(`${key} on a response`);
        const u = m.uri;
        const got =
          key === 'requestScheme' ? (u.kind === 'absolute' ? u.scheme : u.kind) : key === 'telNumber' ? (u.kind === 'tel' ? u.number : undefined) : u.kind !== 'sip' ? undefined : key === 'requestUser' ? u.user : u.host;
        same(key, got, value);
        break;
      }
      case 'toUser': {
        const u = m.to().uri;
        same(key, u.kind === 'sip' ? u.user : undefined, value);
        break;
      }
      case 'topViaHost':
        same(key, m.topVia()?.host, value);
        break;
      case 'topViaPort':
        same(key, m.topVia()?.port, value);
        break;
      case 'topViaReceived':
        same(key, m.topVia()?.received, value);
        break;
      case 'topViaRport':
        // null: a bare `rport` flag, no value yet (RFC 3581 §3)
        same('hasRport', m.topVia()?.hasRport, true);
        same(key, m.topVia()?.rport, value === null ? undefined : value);
        break;
      case 'transports':
        same(key, m.via().map((v) => v.transport), value);
        break;
      case 'supported':
        same(key, m.supported(), value);
        break;
      case 'contentType': {
        const ct = m.contentType();
        same(key, ct === undefined ? undefined : `${ct.type}/${ct.subtype}`, value);
        break;
      }
      case 'boundary':
        same(key, m.contentType()?.params.get('boundary'), value);
        break;
      case 'challenges':
        same(key, m.wwwAuthenticate().length, value);
        break;
      case 'realm':
        same(key, m.wwwAuthenticate()[0].params.get('realm'), value);
        break;
      case 'qop':
        same(key, m.wwwAuthenticate()[0].params.get('qop'), value);
        break;
      case 'secondNonce':
        same(key, m.wwwAuthenticate()[1].params.get('nonce'), value);
        break;
      case 'username':
      case 'nc':
        same(key, m.authorization()[0].params.get(key), value);
        break;
      case 'uriParam':
        same(key, m.authorization()[0].params.get('uri'), value);
        break;
      default:
        throw new Error(`unknown expectation ${key}`);
    }
  }
}

/** Deep equality, with the name of the checked property shown when it fails. */
function same(what: string, actual: unknown, wanted: unknown): void {
  expect({ [what]: actual }).toStrictEqual({ [what]: wanted });
}

describe('corpus: valid messages', () => {
  it('has the cases the index lists', () => {
    expect(index.valid.length).toBeGreaterThanOrEqual(25);
  });

  describe.each(index.valid.map((c) => [c.file, c] as const))('%s', (_file, c) => {
    const raw = bytes('valid', c.file);

    it('parses, with every typed header valid', () => {
      const r = parseMessage(raw);
      if (!r.ok) throw new Error(`${c.file}: ${r.error.status} ${r.error.reason}`);
      validateAll(r.message);
      checkExpectations(r.message, c.expect);
    });

    it('round-trips: serialize() then parse gives the same start line, headers and body', () => {
      const r = parseMessage(raw);
      if (!r.ok) throw new Error(r.error.reason);
      const again = parseMessage(serialize(r.message));
      if (!again.ok) throw new Error(`re-parse: ${again.error.reason}`);
      const a = r.message;
      const b = again.message;
      expect(b.kind).toBe(a.kind);
      if (a.kind === 'request' && b.kind === 'request') {
        expect(b.method).toBe(a.method);
        expect(b.uriText).toBe(a.uriText);
      }
      if (a.kind === 'response' && b.kind === 'response') expect([b.status, b.reason]).toEqual([a.status, a.reason]);
      const withoutLength = (m: SipMessage) => m.headers.fields().filter((f) => f.key !== 'content-length');
      expect(withoutLength(b)).toEqual(withoutLength(a));
      expect(b.body.equals(a.body)).toBe(true);
      expect(b.contentLength()).toBe(a.body.length);
      // serializing twice gives the same bytes
      expect(serialize(b).equals(serialize(a))).toBe(true);
    });

    it('frames the same message from a stream fed byte by byte', () => {
      const r = parseMessage(raw);
      if (!r.ok) throw new Error(r.error.reason);
      const wire = serialize(r.message);
      const framer = new SipStreamFramer();
      const out = [];
      for (let i = 0; i < wire.length; i++) out.push(...framer.push(wire.subarray(i, i + 1)));
      expect(out).toHaveLength(1);
      const first = out[0];
      if (first.kind !== 'message') throw new Error(JSON.stringify(first));
      expect(first.raw.equals(wire)).toBe(true);
      expect(first.message.body.equals(r.message.body)).toBe(true);
    });
  });
});

describe('corpus: malformed messages', () => {
  it('has the cases the index lists', () => {
    expect(index.malformed.length).toBeGreaterThanOrEqual(50);
  });

  it.each(index.malformed.map((c) => [c.file, c] as const))('%s is refused with the status and reason that name the fault', (_file, c) => {
    const opts: ParseOptions = { framing: c.framing, eagerHeaders: c.eagerHeaders };
    const r = parseMessage(bytes('malformed', c.file), opts);
    expect(r.ok ? 'accepted' : r.error).toEqual({ status: c.status, reason: c.reason });
  });

  it.each(index.malformed.map((c) => [c.file, c] as const))('%s is refused the same way when given as a string', (_file, c) => {
    const raw = bytes('malformed', c.file);
    // only where the bytes are valid UTF-8, so the string holds the same message
    if (Buffer.from(raw.toString('utf8'), 'utf8').equals(raw)) {
      const r = parseMessage(raw.toString('utf8'), { framing: c.framing, eagerHeaders: c.eagerHeaders });
      expect(r.ok ? 'accepted' : r.error).toEqual({ status: c.status, reason: c.reason });
    }
  });
});
