import { createSocket, Socket } from 'node:dgram';

// rtpengine reports RFC 4733 telephone-events it sees as JSON datagrams on its
// --dtmf-log-dest (PLATFORM.md). sip-edge maps (call-id, source tag) to the leg that sent
// the digit and hands it on.

export interface DtmfEvent {
  legId: string;
  digit: string;
  durationMs: number | undefined;
  at: string;
}

interface RtpengineDtmf {
  callid?: unknown;
  source_tag?: unknown;
  event?: unknown;
  duration?: unknown;
}

const EVENT_DIGITS = '0123456789*#ABCD';

export class DtmfListener {
  private socket: Socket | undefined;
  /** "callId\ntag" → legId */
  private readonly legs = new Map<string, string>();
  /** callId → its keys, so a call is forgotten without scanning every key */
  private readonly byCall = new Map<string, string[]>();

  constructor(private readonly onDigit: (e: DtmfEvent) => void) {}

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    const s = createSocket('udp4');
    s.on('message', (m) => this.onMessage(m));
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => s.bind(port, host, () => resolve()));
    this.socket = s;
    return s.address().port;
  }

  /** Digits rtpengine sees from `tag` in call `rtpCallId` belong to `legId`. */
  track(rtpCallId: string, tag: string, legId: string): void {
    const key = `${rtpCallId}\n${tag}`;
    this.legs.set(key, legId);
    this.byCall.set(rtpCallId, [...(this.byCall.get(rtpCallId) ?? []), key]);
  }

  untrackCall(rtpCallId: string): void {
    for (const k of this.byCall.get(rtpCallId) ?? []) this.legs.delete(k);
    this.byCall.delete(rtpCallId);
  }


  close(): void {
    this.socket?.close();
  }

  private onMessage(m: Buffer): void {
    let parsed: RtpengineDtmf;
    try {
      parsed = JSON.parse(m.toString('utf8')) as RtpengineDtmf;
    } catch {
      return;
    }
    if (typeof parsed.callid !== 'string' || typeof parsed.source_tag !== 'string') return;
    const legId = this.legs.get(`${parsed.callid}\n${parsed.source_tag}`);
    if (legId === undefined) return;
    const ev = typeof parsed.event === 'number' ? parsed.event : Number(parsed.event);
    const digit = Number.isInteger(ev) && ev >= 0 && ev < EVENT_DIGITS.length ? EVENT_DIGITS[ev] : undefined;
    if (digit === undefined) return;
    this.onDigit({ legId, digit, durationMs: typeof parsed.duration === 'number' ? parsed.duration : undefined, at: new Date().toISOString() });
  }
}
