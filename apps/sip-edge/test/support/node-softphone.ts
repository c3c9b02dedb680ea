import { createSocket, Socket } from 'node:dgram';
import { WebSocket as WsWebSocket } from 'ws';
import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  Session,
  SessionDescriptionHandler,
  SessionDescriptionHandlerOptions,
  SessionState,
  UserAgent,
} from 'sip.js';
import { freePort } from '@pbx/testing';

// A sip.js user agent in Node, over WebSocket (RFC 7118): the same library browser phones use,
// as an independent SIP peer in tests (ARCHITECTURE.md "SIP"). Node has no WebRTC, so its
// session description handler offers and answers plain RTP on a UDP socket of its own and
// counts what arrives there; `hold` in the options makes it offer sendonly (RFC 3264 §8.4).

// sip.js's transport uses the browser's global WebSocket; Node 20 has none.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WsWebSocket;

interface HoldOptions extends SessionDescriptionHandlerOptions {
  hold?: boolean;
}

class PlainRtpDescriptionHandler implements SessionDescriptionHandler {
  remoteSdp: string | undefined;
  constructor(private readonly rtp: RtpSocket) {}

  async getDescription(options?: HoldOptions): Promise<{ body: string; contentType: string }> {
    const direction = options?.hold === true ? 'sendonly' : 'sendrecv';
    const body = [
      'v=0',
      `o=- ${Date.now()} 1 IN IP4 127.0.0.1`,
      's=sipjs-node',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.rtp.port} RTP/AVP 0 101`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      `a=${direction}`,
      '',
    ].join('\r\n');
    return { body, contentType: 'application/sdp' };
  }
  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }
  async setDescription(sdp: string): Promise<void> {
    this.remoteSdp = sdp;
    const m = /^m=audio (\d+) /m.exec(sdp);
    const c = /^c=IN IP4 (\S+)/m.exec(sdp);
    if (m !== null && c !== null) this.rtp.target = { address: c[1], port: Number(m[1]) };
  }
  sendDtmf(): boolean {
    return false;
  }
  close(): void {
    // the RTP socket belongs to the phone, not to one session
  }
}

/** The phone's RTP endpoint: counts packets that reach it; can send PCMU silence to the far end. */
export class RtpSocket {
  received = 0;
  target: { address: string; port: number } | undefined;
  private seq = 0;
  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', () => this.received++);
  }
  static async open(): Promise<RtpSocket> {
    const port = await freePort();
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(port, '127.0.0.1', () => r()));
    return new RtpSocket(socket, port);
  }
  /** One 20 ms PCMU packet of silence to the address the far end's SDP names. */
  send(): void {
    if (this.target === undefined) return;
    const p = Buffer.alloc(12 + 160, 0xff);
    p[0] = 0x80;
    p[1] = 0;
    p.writeUInt16BE(this.seq++ & 0xffff, 2);
    p.writeUInt32BE((this.seq * 160) >>> 0, 4);
    p.writeUInt32BE(0x5eed, 8);
    this.socket.send(p, this.target.port, this.target.address);
  }
  close(): void {
    this.socket.close();
  }
}

export type IncomingPolicy = 'answer' | 'busy' | 'ring';

export class NodeSoftphone {
  readonly sessions: Session[] = [];
  incoming: IncomingPolicy = 'answer';
  private constructor(
    readonly ua: UserAgent,
    private readonly registerer: Registerer,
    readonly rtp: RtpSocket,
    private readonly domain: string,
  ) {}

  static async start(o: { wsUrl: string; user: string; password: string; domain: string }): Promise<NodeSoftphone> {
    const rtp = await RtpSocket.open();
    const ref: { phone?: NodeSoftphone } = {}; // the delegate needs the phone, which needs the UA
    const ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${o.user}@${o.domain}`),
      transportOptions: { server: o.wsUrl },
      authorizationUsername: o.user,
      authorizationPassword: o.password,
      logLevel: 'error',
      sessionDescriptionHandlerFactory: () => new PlainRtpDescriptionHandler(rtp),
      delegate: {
        onInvite: (invitation: Invitation) => {
          ref.phone?.sessions.push(invitation);
          const policy = ref.phone?.incoming ?? 'answer';
          if (policy === 'answer') void invitation.accept();
          else if (policy === 'busy') void invitation.reject({ statusCode: 486 });
          else void invitation.progress();
        },
      },
    });
    await ua.start();
    const registerer = new Registerer(ua, { expires: 300 });
    const registered = new Promise<void>((resolve, reject) => {
      registerer.stateChange.addListener((s) => {
        if (s === RegistererState.Registered) resolve();
      });
      setTimeout(() => reject(new Error(`sip.js ${o.user} did not register`)), 10_000).unref();
    });
    await registerer.register();
    await registered;
    ref.phone = new NodeSoftphone(ua, registerer, rtp, o.domain);
    return ref.phone;
  }

  /** Calls `target`. `ringing` resolves on the first provisional response, `final` with the final status. */
  async call(target: string): Promise<{ inviter: Inviter; ringing: Promise<void>; final: Promise<number> }> {
    const uri = UserAgent.makeURI(`sip:${target}@${this.domain}`);
    if (uri === undefined) throw new Error(`bad target ${target}`);
    const inviter = new Inviter(this.ua, uri);
    this.sessions.push(inviter);
    let ringingDone!: () => void;
    let finalDone!: (status: number) => void;
    const ringing = new Promise<void>((r) => (ringingDone = r));
    const final = new Promise<number>((r) => (finalDone = r));
    await inviter.invite({
      requestDelegate: {
        onProgress: (r) => {
          if ((r.message.statusCode ?? 0) > 100) ringingDone();
        },
        onAccept: (r) => finalDone(r.message.statusCode ?? 0),
        onReject: (r) => finalDone(r.message.statusCode ?? 0),
      },
    });
    return { inviter, ringing, final };
  }

  /** A re-INVITE in the session (hold: offer sendonly); resolves with its final status. */
  reinvite(session: Session, hold: boolean): Promise<number> {
    return new Promise((resolve, reject) => {
      session
        .invite({
          sessionDescriptionHandlerOptions: { hold } as HoldOptions,
          requestDelegate: { onAccept: (r) => resolve(r.message.statusCode ?? 0), onReject: (r) => resolve(r.message.statusCode ?? 0) },
        })
        .catch(reject);
    });
  }

  async stop(): Promise<void> {
    await this.registerer.unregister().catch(() => undefined);
    await this.ua.stop();
    this.rtp.close();
  }
}

/** Resolves when the session reaches `state` (or rejects after timeoutMs). */
export function sessionState(session: Session, state: SessionState, timeoutMs = 15_000): Promise<void> {
  if (session.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`session stayed ${session.state}, wanted ${state}`)), timeoutMs);
    session.stateChange.addListener((s) => {
      if (s === state) {
        clearTimeout(t);
        resolve();
      }
    });
  });
}
