import { createSocket, Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { BValue, bdecode, bencode } from './bencode';

// rtpengine's NG control protocol over UDP: each datagram is `<cookie> <bencoded dict>`, the
// reply carries the same cookie. rtpengine caches replies by cookie, so a retransmission with
// the same cookie is answered from the cache instead of being executed twice.

export type NgDict = { [key: string]: BValue | undefined };

export class NgError extends Error {
  constructor(
    readonly command: string,
    readonly reason: string,
  ) {
    super(`rtpengine ${command}: ${reason}`);
    this.name = 'NgError';
  }
}

export interface NgClientOptions {
  host: string;
  port: number;
  /** Wait per try before retransmitting (ms). */
  retryMs?: number;
  tries?: number;
}

interface Pending {
  command: string;
  resolve(v: NgDict): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  tries: number;
  datagram: Buffer;
}

export class NgClient {
  private readonly socket: Socket;
  private readonly pending = new Map<string, Pending>();
  private readonly retryMs: number;
  private readonly tries: number;
  private closed = false;

  constructor(private readonly options: NgClientOptions) {
    this.retryMs = options.retryMs ?? 500;
    this.tries = options.tries ?? 3;
    this.socket = createSocket('udp4');
    this.socket.on('message', (m) => this.onMessage(m));
    this.socket.on('error', () => undefined); // ICMP errors: the retry timer reports the failure
    this.socket.unref();
  }

  /** Sends one command; resolves with the reply dictionary, rejects with NgError on `result: error`. */
  command(command: string, params: NgDict = {}): Promise<NgDict> {
    if (this.closed) return Promise.reject(new NgError(command, 'client closed'));
    const cookie = randomBytes(8).toString('hex');
    const datagram = Buffer.concat([Buffer.from(cookie + ' ', 'latin1'), bencode({ ...params, command })]);
    return new Promise<NgDict>((resolve, reject) => {
      const p: Pending = { command, resolve, reject, tries: 1, datagram, timer: setTimeout(() => this.retry(cookie), this.retryMs) };
      this.pending.set(cookie, p);
      this.socket.send(datagram, this.options.port, this.options.host);
    });
  }

  ping(): Promise<boolean> {
    return this.command('ping').then(
      (r) => r.result === 'pong',
      () => false,
    );
  }

  close(): void {
    this.closed = true;
    for (const [cookie, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new NgError(p.command, 'client closed'));
      this.pending.delete(cookie);
    }
    this.socket.close();
  }

  private retry(cookie: string): void {
    const p = this.pending.get(cookie);
    if (p === undefined) return;
    if (p.tries >= this.tries) {
      this.pending.delete(cookie);
      p.reject(new NgError(p.command, `no reply from ${this.options.host}:${this.options.port} after ${p.tries} tries`));
      return;
    }
    p.tries++;
    p.timer = setTimeout(() => this.retry(cookie), this.retryMs);
    this.socket.send(p.datagram, this.options.port, this.options.host);
  }

  private onMessage(m: Buffer): void {
    const space = m.indexOf(0x20);
    if (space <= 0) return;
    const cookie = m.toString('latin1', 0, space);
    const p = this.pending.get(cookie);
    if (p === undefined) return; // a late duplicate
    this.pending.delete(cookie);
    clearTimeout(p.timer);
    let reply: BValue;
    try {
      reply = bdecode(m.subarray(space + 1));
    } catch (e) {
      p.reject(new NgError(p.command, `undecodable reply: ${(e as Error).message}`));
      return;
    }
    if (typeof reply !== 'object' || reply === null || Array.isArray(reply) || Buffer.isBuffer(reply)) {
      p.reject(new NgError(p.command, 'reply is not a dictionary'));
      return;
    }
    if (reply.result === 'error') p.reject(new NgError(p.command, String(reply['error-reason'] ?? 'unknown error')));
    else p.resolve(reply);
  }
}
