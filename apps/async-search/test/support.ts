// Test support for async-search's integration specs and their child-process fixtures.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrateEventStore } from '@pbx/event-store';
import { migrateReadModels } from '@pbx/read-models';
import { runService, RunningService } from '@pbx/service-kit';
import { createTestDatabase, testDir, testNatsUrl } from '@pbx/testing';
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
