import { createSocket } from 'node:dgram';

/** One SIP request over UDP; resolves with the first response's text (or undefined after timeoutMs). */
export async function udpExchange(port: number, text: string, timeoutMs = 2_000): Promise<string | undefined> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const localPort = s.address().port;
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(m.toString('utf8'));
    });
    s.send(text.replace(/LOCALPORT/g, String(localPort)), port, '127.0.0.1');
  });
}

