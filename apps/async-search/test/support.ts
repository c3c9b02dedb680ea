// Test support for async-search's integration specs and their child-process fixtures.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { migrateEventStore } from '@pbx/event-store';
import { migrateReadModels } from '@pbx/read-models';
import { runService, RunningService } from '@pbx/service-kit';
import { createTestDatabase, freePort, testDir, testNatsUrl } from '@pbx/testing';
import { AsyncSearchModule, AsyncSearchOptions } from '../src/async-search.module';
import { Config, configSchema } from '../src/config';
import { migrateAsyncSearch } from '../src/jobs/job.schema';

export const repoRoot = join(__dirname, '../../..');

/** A fresh database with the event store, the read models (call_log) and async-search's table. */
export async function createAsyncSearchDatabase(): Promise<string> {
  const url = await createTestDatabase('as');
  await migrateEventStore(url);
  await migrateReadModels(url);
  await migrateAsyncSearch(url);
  return url;
}

export const filesDir = (): string => mkdtempSync(join(testDir(), 'as-files-'));

export function asConfig(env: Record<string, string>): Config {
  return configSchema.parse({
    NATS_URL: testNatsUrl(),
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    MIGRATE_ON_BOOT: 'false',
    PORTAL_URL: 'https://portal.pbx.test',
    ...env,
  });
}

/** One in-process instance: the same module main.ts boots, in the service's queue group. */
export function bootInstance(config: Config, o: AsyncSearchOptions = {}): Promise<RunningService> {
  return runService({ service: 'async-search', config, imports: [AsyncSearchModule.register(config, o)] });
}

/**
 * `n` call-log rows: started one second apart going back from `newest`, numbers cycling, one in
 * `weird` rows with a caller that would be a formula and a callee with a comma and a quote
 * (SPEC S-3). Inserted by the database itself (generate_series): fast for a million.
 */
export async function seedCallLogs(url: string, n: number, o: { newest?: string; prefix?: string; weird?: number } = {}): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO call_log (call_id, request_id, origin_leg_id, started_at, answered_at, ended_at, duration_seconds, direction, federation,
                             presented_caller, callee, answered_by, answered_by_leg_id, result, trunk_id, did)
       SELECT $3 || lpad(g::text, 8, '0'), 'req-' || g, 'leg-' || g,
              $2::timestamptz - make_interval(secs => g),
              CASE WHEN g % 4 <> 0 THEN $2::timestamptz - make_interval(secs => g) + interval '3 seconds' END,
              $2::timestamptz - make_interval(secs => g) + interval '63 seconds',
              CASE WHEN g % 4 <> 0 THEN 60 ELSE 0 END,
              (ARRAY['incoming', 'outgoing', 'internal'])[1 + g % 3], g % 7 = 0,
              CASE WHEN $4::int > 0 AND g % $4::int = 0 THEN '=HYPERLINK("http://evil")' ELSE '0901234' || lpad((g % 1000)::text, 4, '0') END,
              CASE WHEN $4::int > 0 AND g % $4::int = 0 THEN 'Sato, "Taro"' ELSE '03123' || lpad((g % 100)::text, 5, '0') END,
              CASE WHEN g % 4 <> 0 THEN '1001' END, CASE WHEN g % 4 <> 0 THEN 'leg-b-' || g END,
              CASE WHEN g % 4 <> 0 THEN 'answered' ELSE 'no-answer' END,
              CASE WHEN g % 3 = 0 THEN 'carrier-a' END, CASE WHEN g % 3 = 0 THEN '0312345678' END
         FROM generate_series(1, $1::int) AS g`,
      [n, o.newest ?? '2025-04-01T00:00:00.000Z', o.prefix ?? 'call-', o.weird ?? 0],
    );
  } finally {
    await c.end();
  }
}

export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

/** A real SMTP server (the `smtp-server` package) in the test process, collecting every message. */
export async function startSmtp(): Promise<{ port: number; mails: ReceivedMail[]; refuse(on: boolean): void; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  let refusing = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusing) {
          const err = Object.assign(new Error('mailbox unavailable'), { responseCode: 450 });
          return callback(err);
        }
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
  readonly headers: Map<string, string>;
  readonly subject: string;
  /** Every leaf part: content type, disposition, decoded body. */
  readonly parts: { type: string; disposition?: string; body: string }[];
}

/** Just enough MIME (RFC 2045–2047) to check what the service sent: headers, encoded words, parts. */
export function parseMail(raw: string): ParsedMail {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\r\n\r\n');
  const headers = parseHeaders(head);
  return { headers, subject: decodeWords(headers.get('subject') ?? ''), parts: leafParts(headers, body) };
}

function parseHeaders(head: string): Map<string, string> {
  const h = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) h.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return h;
}

function decodeWords(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
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
  const decoded =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8')
        : body;
  return [{ type, disposition: headers.get('content-disposition'), body: decoded }];
}

export async function readText(url: string, sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, values)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

export type { RunningService };
