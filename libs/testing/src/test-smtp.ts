// A real SMTP server for tests of what a service mails (SPEC S-5), and just enough MIME to read
// what it received. Shared by async-search's and api-gateway's int tests.
import type { SMTPServer } from 'smtp-server';
import { freePort } from './infra/processes';

export interface ReceivedMail {
  /** MAIL FROM of the envelope ('' for a null sender). */
  readonly from: string;
  /** RCPT TO of the envelope. */
  readonly to: string[];
  /** The message as sent: headers, blank line, body. */
  readonly raw: string;
}

export interface TestSmtp {
  readonly port: number;
  /** Every message accepted so far, in order. */
  readonly mails: ReceivedMail[];
  /** While on, every message is refused with 450 (a mailbox that is temporarily unavailable). */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

/** A real SMTP server (the `smtp-server` package) on a free port of 127.0.0.1, without TLS or AUTH. */
export async function startTestSmtp(): Promise<TestSmtp> {
  // Loaded here, not at the top: most tests importing @pbx/testing never mail.
  const { SMTPServer: Server } = await import('smtp-server');
  const mails: ReceivedMail[] = [];
  let refusing = false;
  const server: SMTPServer = new Server({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusing) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 450 }));
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  return { port, mails, refuse: (on) => (refusing = on), close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

export interface ParsedMail {
  /** Header names in lower case, folded lines unfolded, values as sent (encoded words kept). */
  readonly headers: Map<string, string>;
  /** The Subject with its RFC 2047 encoded words decoded. */
  readonly subject: string;
  /** Every leaf part: content type, disposition, body with its transfer encoding undone. */
  readonly parts: { type: string; disposition?: string; body: string }[];
}

/** Just enough MIME (RFC 2045–2047) to check what a service sent: headers, encoded words, parts. */
export function parseMail(raw: string): ParsedMail {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = parseHeaders(head);
  return { headers, subject: decodeWords(headers.get('subject') ?? ''), parts: leafParts(headers, rest.join('\r\n\r\n')) };
}

function parseHeaders(head: string): Map<string, string> {
  const h = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) h.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return h;
}

const quotedPrintable = (text: string): Buffer => Buffer.from(text.replace(/=([0-9A-F]{2})/gi, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');

function decodeWords(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, text: string) =>
      (enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : quotedPrintable(text.replace(/_/g, ' '))).toString('utf8'),
    );
}

function leafParts(headers: Map<string, string>, body: string): ParsedMail['parts'] {
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .flatMap((p) => {
        const [h, ...b] = p.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
        return leafParts(parseHeaders(h), b.join('\r\n\r\n'));
      });
  }
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const decoded = cte === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : cte === 'quoted-printable' ? quotedPrintable(body.replace(/=\r?\n/g, '')).toString('utf8') : body;
  return [{ type, disposition: headers.get('content-disposition'), body: decoded }];
}
