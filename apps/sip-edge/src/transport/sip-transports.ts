import { createSocket, Socket as UdpSocket } from 'node:dgram';
import { createServer, Server, Socket, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { parseMessage, Peer, replyToUnparseable, serialize, SipMessage, SipParseFailure, SipStreamFramer, isKeepAlive } from '@pbx/sip';
import { stampReceived } from './via-stamp';

// The wire: UDP datagrams (RFC 3261 §18), TCP streams cut by Content-Length, and WebSocket
// messages carrying one SIP message each (RFC 7118, subprotocol "sip"). Everything received
// is parsed here; what cannot be parsed is answered 400/513 where it can be addressed, else
// dropped and counted (SPEC B-1). Nothing a peer sends can throw out of this class.

export interface TransportCounters {
  received: number;
  sent: number;
  /** Unparseable input answered with 400/505/513. */
  rejected: number;
  /** Unparseable input that could not be answered (no Via etc., responses, ACKs). */
  dropped: number;
  sendErrors: number;
}

export interface SipTransportsOptions {
  bindHost: string;
  udpPort: number;
  tcpPort: number;
  /** 0 = no WebSocket listener. */
  wsPort: number;
  onMessage(message: SipMessage, peer: Peer): void;
  onLog?(event: string, details: Record<string, unknown>): void;
  /** Idle TCP/WS connections are closed after this (ms). */
  idleTimeoutMs?: number;
}

export interface ListeningPorts {
  udp: number;
  tcp: number;
  ws: number;
}

interface StreamConnection {
  id: string;
  protocol: 'tcp' | 'ws';
  address: string;
  port: number;
  write(data: Buffer): void;
  close(): void;
}

const connectionKey = (protocol: string, address: string, port: number): string => `${protocol}:${address}:${port}`;

export class SipTransports {
  readonly counters: TransportCounters = { received: 0, sent: 0, rejected: 0, dropped: 0, sendErrors: 0 };
  private udp: UdpSocket | undefined;
  private tcpServer: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly connections = new Map<string, StreamConnection>();
  /** Latest connection per remote address:port, to reach a peer that connected to us. */
  private readonly byRemote = new Map<string, string>();
  private ports: ListeningPorts = { udp: 0, tcp: 0, ws: 0 };

  constructor(private readonly options: SipTransportsOptions) {}

  async listen(): Promise<ListeningPorts> {
    const { bindHost } = this.options;
    const udp = createSocket({ type: 'udp4', reuseAddr: false });
    udp.on('message', (buf, rinfo) => this.onDatagram(buf, rinfo.address, rinfo.port));
    udp.on('error', (e) => this.log('udp-error', { error: e.message }));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.options.udpPort, bindHost, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    this.udp = udp;
    this.ports.udp = udp.address().port;

    const tcp = createServer((socket) => this.acceptTcp(socket));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.options.tcpPort === 0 ? 0 : this.options.tcpPort, bindHost, () => resolve());
    });
    this.tcpServer = tcp;
    const tcpAddr = tcp.address();
    this.ports.tcp = typeof tcpAddr === 'object' && tcpAddr !== null ? tcpAddr.port : 0;

    if (this.options.wsPort > 0) await this.listenWs(this.options.wsPort);
    return { ...this.ports };
  }

  private async listenWs(port: number): Promise<void> {
    const wss = new WebSocketServer({
      host: this.options.bindHost,
      port,
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
      maxPayload: 64 * 1024,
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('error', reject);
      wss.once('listening', () => resolve());
    });
    wss.on('connection', (ws, req) => this.acceptWs(ws, req));
    this.wss = wss;
    const addr = wss.address();
    this.ports.ws = typeof addr === 'object' && addr !== null ? addr.port : 0;
  }

  get listening(): ListeningPorts {
    return { ...this.ports };
  }

  /** Whether a stream connection (TCP/WS) is still open. */
  hasConnection(connectionId: string): boolean {
    return this.connections.has(connectionId);
  }

  /** Sends a message; throws when it cannot be sent (closed connection, …) so the transaction layer reports a transport error. */
  send(message: SipMessage, peer: Peer): void {
    const bytes = serialize(message);
    this.sendRaw(bytes, peer);
  }

  sendRaw(bytes: Buffer, peer: Peer): void {
    try {
      if (peer.protocol === 'udp') {
        if (this.udp === undefined) throw new Error('UDP transport not listening');
        this.udp.send(bytes, peer.port, peer.address);
      } else {
        this.streamFor(peer).write(bytes);
      }
      this.counters.sent++;
    } catch (e) {
      this.counters.sendErrors++;
      throw e;
    }
  }

  async close(): Promise<void> {
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
    this.byRemote.clear();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcpServer ? this.tcpServer.close(() => r()) : r())),
      new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r())),
    ]);
  }

  // ------------------------------------------------------------------ receive

  private onDatagram(buf: Buffer, address: string, port: number): void {
    if (isKeepAlive(buf)) return; // RFC 5626 §3.5.1 CRLF keep-alive
    this.deliver(buf, { protocol: 'udp', address, port }, 'datagram');
  }

  private deliver(buf: Buffer, peer: Peer, framing: 'datagram' | 'stream'): void {
    this.counters.received++;
    const parsed = parseMessage(buf, { framing });
    if (!parsed.ok) {
      this.reject(buf, parsed.error, peer);
      return;
    }
    this.dispatch(parsed.message, peer);
  }

  private dispatch(message: SipMessage, peer: Peer): void {
    if (message.kind === 'request') stampReceived(message, peer.address, peer.port);
    try {
      this.options.onMessage(message, peer);
    } catch (e) {
      // a bug upstream must not kill the socket's reader
      this.log('handler-error', { error: (e as Error).message, stack: (e as Error).stack });
    }
  }

  private reject(raw: Buffer, failure: SipParseFailure, peer: Peer): void {
    const reply = replyToUnparseable(raw, failure, randomBytes(6).toString('hex'));
    if (reply === undefined) {
      this.counters.dropped++;
      return;
    }
    this.counters.rejected++;
    try {
      this.sendRaw(reply, peer);
    } catch {
      // the peer is gone; nothing more to do
    }
  }

  // ------------------------------------------------------------------ TCP

  private acceptTcp(socket: Socket): void {
    const address = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const port = socket.remotePort ?? 0;
    this.attachTcp(socket, address, port);
  }

  private attachTcp(socket: Socket, address: string, port: number): StreamConnection {
    const id = `tcp-${randomBytes(6).toString('hex')}`;
    const framer = new SipStreamFramer({ reportKeepAlives: true });
    const conn: StreamConnection = {
      id,
      protocol: 'tcp',
      address,
      port,
      write: (data) => {
        if (socket.destroyed) throw new Error(`connection ${id} closed`);
        socket.write(data);
      },
      close: () => socket.destroy(),
    };
    this.register(conn);
    socket.setNoDelay(true);
    socket.setTimeout(this.options.idleTimeoutMs ?? 600_000, () => socket.destroy());
    socket.on('data', (chunk) => {
      for (const out of framer.push(chunk)) {
        if (out.kind === 'keepalive') {
          if (!socket.destroyed) socket.write('\r\n');
        } else if (out.kind === 'message') {
          this.counters.received++;
          this.dispatch(out.message, { protocol: 'tcp', address, port, connectionId: id });
        } else {
          this.counters.received++;
          this.counters.dropped++;
          if (out.fatal) socket.destroy();
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.unregister(conn));
    return conn;
  }

  // ------------------------------------------------------------------ WebSocket

  private acceptWs(ws: WebSocket, req: IncomingMessage): void {
    const address = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const port = req.socket.remotePort ?? 0;
    const id = `ws-${randomBytes(6).toString('hex')}`;
    const conn: StreamConnection = {
      id,
      protocol: 'ws',
      address,
      port,
      write: (data) => {
        if (ws.readyState !== WebSocket.OPEN) throw new Error(`connection ${id} closed`);
        ws.send(data.toString('utf8'));
      },
      close: () => ws.terminate(),
    };
    this.register(conn);
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (!isBinary && buf.length <= 4 && buf.toString('latin1').trim() === '') return; // keep-alive
      this.deliver(buf, { protocol: 'ws', address, port, connectionId: id }, 'datagram');
    });
    ws.on('error', () => undefined);
    ws.on('close', () => this.unregister(conn));
  }

  // ------------------------------------------------------------------ connections

  private register(conn: StreamConnection): void {
    this.connections.set(conn.id, conn);
    this.byRemote.set(connectionKey(conn.protocol, conn.address, conn.port), conn.id);
  }

  private unregister(conn: StreamConnection): void {
    this.connections.delete(conn.id);
    const key = connectionKey(conn.protocol, conn.address, conn.port);
    if (this.byRemote.get(key) === conn.id) this.byRemote.delete(key);
  }

  /** The connection to write to: the pinned one, else one to that address, else a new TCP connection (§18.1.1). */
  private streamFor(peer: Peer): StreamConnection {
    if (peer.connectionId !== undefined) {
      const c = this.connections.get(peer.connectionId);
      if (c !== undefined) return c;
    }
    const existing = this.byRemote.get(connectionKey(peer.protocol, peer.address, peer.port));
    if (existing !== undefined) {
      const c = this.connections.get(existing);
      if (c !== undefined) return c;
    }
    if (peer.protocol !== 'tcp') throw new Error(`no ${peer.protocol} connection to ${peer.address}:${peer.port}`);
    const socket = connect({ host: peer.address, port: peer.port });
    const conn = this.attachTcp(socket, peer.address, peer.port);
    socket.on('error', (e) => this.log('tcp-connect-error', { peer: `${peer.address}:${peer.port}`, error: e.message }));
    return conn; // writes before connect are buffered by the socket
  }

  private log(event: string, details: Record<string, unknown>): void {
    this.options.onLog?.(event, details);
  }
}
