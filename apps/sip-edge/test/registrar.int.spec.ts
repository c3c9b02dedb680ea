import { createSocket, Socket } from 'node:dgram';
import { answerChallenge, parseMessage, SipResponse } from '@pbx/sip';
import { EdgeStack, PASSWORDS, startEdgeStack } from './support/edge-stack';

// The registrar against a plain UDP client that builds its own REGISTERs and answers challenges
// with libs/sip's digest client: SHA-256 (RFC 8760) when the edge offers it, 423 Min-Expires,
// wrong password, someone else's address of record, nonce-count replay, `*` unregister.

class UdpClient {
  private seq = 0;
  private readonly callId = `reg-${Math.random().toString(36).slice(2)}`;
  private constructor(
    private readonly socket: Socket,
    private readonly port: number,
    private readonly edgePort: number,
  ) {}
  static async open(edgePort: number): Promise<UdpClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    return new UdpClient(socket, socket.address().port, edgePort);
  }
  /** Sends one REGISTER and resolves with the final response. */
  register(o: { user: string; aor?: string; domain: string; contact?: string; expires?: number; authorization?: string; cseq?: number }): Promise<SipResponse> {
    const cseq = o.cseq ?? ++this.seq;
    const aor = o.aor ?? o.user;
    const lines = [
      `REGISTER sip:${o.domain} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK${Math.random().toString(36).slice(2)};rport`,
      'Max-Forwards: 70',
      `From: <sip:${aor}@${o.domain}>;tag=r${cseq}`,
      `To: <sip:${aor}@${o.domain}>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} REGISTER`,
      ...(o.contact === undefined ? [`Contact: <sip:${o.user}@127.0.0.1:${this.port}>`] : o.contact === '' ? [] : [`Contact: ${o.contact}`]),
      ...(o.expires !== undefined ? [`Expires: ${o.expires}`] : []),
      ...(o.authorization !== undefined ? [`Authorization: ${o.authorization}`] : []),
      'Content-Length: 0',
      '',
      '',
    ];
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no answer to REGISTER')), 3_000);
      const onMessage = (m: Buffer): void => {
        const r = parseMessage(m);
        if (!r.ok || r.message.kind !== 'response' || r.message.status < 200) return;
        clearTimeout(t);
        this.socket.off('message', onMessage);
        resolve(r.message);
      };
      this.socket.on('message', onMessage);
      this.socket.send(lines.join('\r\n'), this.edgePort, '127.0.0.1');
    });
  }
  close(): void {
    this.socket.close();
  }
}

describe('registrar (RFC 3261 §10.3, digest RFC 8760)', () => {
  let stack: EdgeStack;
  let client: UdpClient;
  beforeAll(async () => {
    stack = await startEdgeStack({ quota: false, edgeEnv: { DIGEST_ALGORITHMS: 'SHA-256,MD5', REGISTER_MIN_EXPIRES: '60' } });
    client = await UdpClient.open(stack.sipPort);
  }, 90_000);
  afterAll(async () => {
    client?.close();
    await stack?.stop();
  });

  /** REGISTER → 401 → REGISTER answering the first challenge offered. */
  async function authenticated(o: { user: string; password: string; aor?: string; expires?: number; contact?: string }): Promise<{ response: SipResponse; authorization: string }> {
    const challenge = await client.register({ user: o.user, aor: o.aor, domain: stack.domain, expires: o.expires, contact: o.contact });
    expect(challenge.status).toBe(401);
    const offered = challenge.headers.getAll('www-authenticate');
    const authorization = answerChallenge(offered[0], { method: 'REGISTER', uri: `sip:${stack.domain}`, username: o.user, password: o.password });
    const response = await client.register({ user: o.user, aor: o.aor, domain: stack.domain, expires: o.expires, contact: o.contact, authorization });
    return { response, authorization };
  }

  it('offers SHA-256 first, then MD5, and accepts a SHA-256 answer', async () => {
    const challenge = await client.register({ user: '1001', domain: stack.domain });
    const offered = challenge.headers.getAll('www-authenticate');
    expect(offered).toHaveLength(2);
    expect(offered[0]).toMatch(/algorithm=SHA-256/);
    expect(offered[1]).toMatch(/algorithm=MD5/);
    const authorization = answerChallenge(offered[0], { method: 'REGISTER', uri: `sip:${stack.domain}`, username: '1001', password: PASSWORDS['1001'] });
    expect(authorization).toMatch(/algorithm=SHA-256/);
    const ok = await client.register({ user: '1001', domain: stack.domain, authorization });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('contact')).toMatch(/;expires=\d+/);
  });

  it('answers a too brief Expires with 423 and Min-Expires', async () => {
    const { response } = await authenticated({ user: '1001', password: PASSWORDS['1001'], expires: 10 });
    expect(response.status).toBe(423);
    expect(response.headers.get('min-expires')).toBe('60');
  });

  it('challenges again on a wrong password, and refuses registering someone else’s number', async () => {
    const wrong = await authenticated({ user: '1001', password: 'not-the-password' });
    expect(wrong.response.status).toBe(401);
    const other = await authenticated({ user: '1001', password: PASSWORDS['1001'], aor: '1002' });
    expect(other.response.status).toBe(403);
  });

  it('refuses a replayed nonce count', async () => {
    const { response, authorization } = await authenticated({ user: '1001', password: PASSWORDS['1001'] });
    expect(response.status).toBe(200);
    const replay = await client.register({ user: '1001', domain: stack.domain, authorization });
    expect(replay.status).toBe(401);
  });

  it('a query lists the bindings; `*` with Expires 0 removes them all', async () => {
    const query = await authenticated({ user: '1001', password: PASSWORDS['1001'], contact: '' });
    expect(query.response.status).toBe(200);
    expect(query.response.headers.getAll('contact').length).toBeGreaterThanOrEqual(1);
    const removed = await authenticated({ user: '1001', password: PASSWORDS['1001'], contact: '*', expires: 0 });
    expect(removed.response.status).toBe(200);
    expect(removed.response.headers.getAll('contact')).toEqual([]);
  });
});
