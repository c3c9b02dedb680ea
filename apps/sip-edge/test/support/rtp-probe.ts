import { createSocket, Socket } from 'node:dgram';
import { freePort } from '@pbx/testing';

/** A UDP socket that plays an RTP endpoint: counts what arrives and answers every packet to its sender. */
export class RtpProbe {
  received = 0;
  echoedBack = 0;
  payloadTypes = new Set<number>();
  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {}
  static async open(): Promise<RtpProbe> {
    const port = await freePort();
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(port, '127.0.0.1', () => r()));
    const probe = new RtpProbe(socket, port);
    socket.on('message', (m, rinfo) => {
      if (m.length < 12 || m[0] >> 6 !== 2) return;
      // our own marker payload coming back through SIPp's echo
      if (m.length >= 16 && m.subarray(12, 16).toString('latin1') === 'ECHO') {
        probe.echoedBack++;
        return;
      }
      probe.received++;
      probe.payloadTypes.add(m[1] & 0x7f);
      const reply = Buffer.from(m);
      reply.write('ECHO', 12, 'latin1');
      socket.send(reply, rinfo.port, rinfo.address);
    });
    return probe;
  }
  close(): void {
    this.socket.close();
  }
}
