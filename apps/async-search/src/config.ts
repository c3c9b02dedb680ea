import { z } from 'zod';
import { ASYNC_SEARCH_FILES_DIR_DEFAULT, defaultHttpPort } from '@pbx/contracts';
import { baseConfigSchema, loadConfig } from '@pbx/service-kit';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** async-search settings, validated once at boot (ARCHITECTURE.md "config"). docs/async-search.md lists them. */
export const configSchema = baseConfigSchema
  .extend({
    HTTP_PORT: int(0, 65535).default(defaultHttpPort('async-search')),
    /** The event store (jobs), the jobs' read model and the searched read models (call_log). */
    DATABASE_URL: z.string().url(),
    /** Result files (a LocalFileStore); api-gateway reads them from the same folder. */
    ASYNC_SEARCH_FILES_DIR: z.string().min(1).default(ASYNC_SEARCH_FILES_DIR_DEFAULT),
    /** Creates the jobs' read-model table at boot when missing (idempotent, serialised by a lock). */
    MIGRATE_ON_BOOT: flag.default('true'),

    // ---- workers
    /** Jobs one instance runs at once (each holds one PostgreSQL connection for its cursor). */
    WORKER_CONCURRENCY: int(0, 64).default(2),
    /** A run's lease: the sweep returns a job to pending when its worker has not renewed it for this long. */
    LEASE_MS: int(1_000, 3_600_000).default(30_000),
    /** How often a running job renews its lease (with its progress), whatever the row rate. */
    HEARTBEAT_MS: int(100, 600_000).default(5_000),
    /** Progress is stored every this many rows (and at each heartbeat), never per row. */
    PROGRESS_EVERY_ROWS: int(1, 10_000_000).default(50_000),
    /** Rows per FETCH from the server-side cursor. */
    FETCH_SIZE: int(1, 100_000).default(5_000),
    /** Count the matches first, in the same snapshot, so progress has a percentage. */
    COUNT_TOTAL: flag.default('true'),
    /** Runs of one job that may lose their worker before the job fails with ASYNC_SEARCH.WORKER_LOST. */
    MAX_ATTEMPTS: int(1, 100).default(3),
    /** How often an idle worker looks for pending jobs (NATS dispatch is the fast path). */
    POLL_INTERVAL_MS: int(50, 600_000).default(1_000),
    /** How often the sweep looks for lapsed leases and mails still owed. */
    SWEEP_INTERVAL_MS: int(50, 600_000).default(2_000),
    /** Orphan temp files (of a writer that died) older than this are removed by the sweep. */
    TEMP_FILE_MAX_AGE_MS: int(1_000, 7 * 86_400_000).default(6 * 3_600_000),

    // ---- mail (SPEC S-5)
    /** No mail is sent when unset (the job still completes; the log says why). */
    SMTP_HOST: z.string().min(1).optional(),
    SMTP_PORT: int(1, 65535).default(25),
    /** Implicit TLS (port 465). STARTTLS is used when the server offers it, unless SMTP_IGNORE_TLS. */
    SMTP_SECURE: flag.default('false'),
    SMTP_IGNORE_TLS: flag.default('false'),
    SMTP_USER: z.string().min(1).optional(),
    SMTP_PASSWORD: z.string().min(1).optional(),
    MAIL_FROM: z.string().min(3).default('BIZTEL <no-reply@biztel.invalid>'),
    /** The admin portal; the mail links to its history screen. */
    PORTAL_URL: z.string().url().default('http://localhost:3000'),
    /** Time zone of the registration time in the mail. */
    MAIL_TIME_ZONE: z.string().min(1).default('Asia/Tokyo'),
    /** Failed sends before a mail is given up (recorded on the job). */
    MAIL_MAX_FAILURES: int(1, 100).default(5),
    /** First wait before a failed mail is sent again; doubles per failure, up to an hour. */
    MAIL_RETRY_BASE_MS: int(10, 3_600_000).default(5_000),
    /** The sweep sends a mail a worker did not get to (it died between done and mail) after this long. */
    MAIL_GRACE_MS: int(0, 3_600_000).default(60_000),
  })
  .refine((c) => c.HEARTBEAT_MS * 2 <= c.LEASE_MS, { message: 'HEARTBEAT_MS must be at most half of LEASE_MS', path: ['HEARTBEAT_MS'] })
  .refine((c) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: c.MAIL_TIME_ZONE });
      return true;
    } catch {
      return false;
    }
  }, { message: 'MAIL_TIME_ZONE is not a known IANA time zone', path: ['MAIL_TIME_ZONE'] });
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig('async-search', configSchema, env);
