import { join } from 'node:path';
import { migrateEventStore } from '@pbx/event-store';
import { migrateReadModels } from '@pbx/read-models';
import { runService, RunningService } from '@pbx/service-kit';
import { createTestDatabase, eventually, startProcess, testNatsUrl } from '@pbx/testing';
import { Client } from 'pg';
import { Config, configSchema } from '../src/config';
import { HistoryProjectorModule } from '../src/history-projector.module';
import { HISTORY_CONSUMER } from '../src/projection/history.projection';
import { readConsumerBacklog } from '@pbx/event-store';

export const repoRoot = join(__dirname, '../../..');

/** A fresh database with the event store and the read models migrated. */
export async function createHistoryDatabase(prefix = 'history'): Promise<string> {
  const url = await createTestDatabase(prefix);
  await migrateEventStore(url);
  await migrateReadModels(url);
  return url;
}

/** Test config: relay and retention off unless asked (each test says what it runs). */
export function historyConfig(url: string, env: Record<string, string> = {}): Config {
  return configSchema.parse({
    NATS_URL: testNatsUrl(),
    DATABASE_URL: url,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    RELAY_ENABLED: 'false',
    RETENTION_ENABLED: 'false',
    ...env,
  });
}

export function bootProjector(config: Config, clock?: () => number): Promise<RunningService> {
  return runService({ service: 'history-projector', config, imports: [HistoryProjectorModule.register(config, clock)] });
}

export async function caughtUp(db: Client, timeoutMs = 30_000): Promise<void> {
  await eventually('history projector caught up', async () => (await readConsumerBacklog(db, HISTORY_CONSUMER)) === 0, timeoutMs);
}

/** Every row of a table, in a stable order, with instants as ISO text (row-for-row comparisons). */
export async function dumpTable(db: Client, table: 'call_log' | 'call_log_state' | 'channel_usage'): Promise<Record<string, unknown>[]> {
  const key = table === 'channel_usage' ? 'leg_id' : 'call_id';
  const r = await db.query(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY ${key}`);
  return r.rows.map((x: { row: Record<string, unknown> }) => x.row);
}

/** call_log rows as CallLogRow-shaped objects (the pure projection's shape), by call id. */
export async function callLogRows(db: Client): Promise<Map<string, Record<string, unknown>>> {
  const r = await db.query(`
    SELECT call_id AS "callId", request_id AS "requestId", origin_leg_id AS "originLegId",
           to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt",
           to_char(answered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "answeredAt",
           to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "endedAt",
           duration_seconds AS "durationSeconds", direction, federation, presented_caller AS "presentedCaller", callee,
           answered_by AS "answeredBy", answered_by_leg_id AS "answeredByLegId", result, trunk_id AS "trunkId", did
      FROM call_log`);
  return new Map(r.rows.map((row: Record<string, unknown>) => [row.callId as string, row]));
}

export async function connectDb(url: string): Promise<Client> {
  const db = new Client({ connectionString: url });
  await db.connect();
  return db;
}

/** Runs a TypeScript fixture or script as a child process (killable with SIGKILL). */
export function spawnTs(file: string, env: Record<string, string>) {
  const proc = startProcess('fixture', process.execPath, ['--require', join(repoRoot, 'tools/run-ts.cjs'), file], { cwd: repoRoot, env: { ...process.env, ...env } });
  let out = '';
  proc.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    exited,
    waitForLine: (pattern: RegExp, timeoutMs = 30_000) =>
      eventually(`${file} printing ${pattern}`, () => {
        const m = out.split('\n').map((l) => pattern.exec(l)).find((x) => x !== null);
        if (m) return m;
        if (proc.child.exitCode !== null) throw new Error(`${file} exited with ${proc.child.exitCode}:\n${out}`);
        return undefined;
      }, timeoutMs),
    async kill9() {
      proc.child.kill('SIGKILL');
      await exited;
    },
  };
}
