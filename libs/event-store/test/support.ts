// Test support for the integration specs and their child-process fixtures.
export { createTestDatabase, eventually, startProcess, testNatsUrl, uniqueName } from '@pbx/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ClientBase } from 'pg';
import { eventually, startProcess, type ManagedProcess } from '@pbx/testing';

export const repoRoot = join(__dirname, '../../..');

/** A fixture under test/fixtures, run as `node --require ./tools/run-ts.cjs <fixture>` (killed with us). */
export interface FixtureProcess {
  readonly proc: ManagedProcess;
  /** Everything the child wrote to stdout so far. */
  output(): string;
  /** Waits until a stdout line matches `pattern`; returns the match. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill9(): Promise<void>;
}

export function spawnFixture(file: string, env: Record<string, string>): FixtureProcess {
  const proc = startProcess('fixture', process.execPath, ['--require', join(repoRoot, 'tools/run-ts.cjs'), join(__dirname, 'fixtures', file)], {
    cwd: repoRoot,
    env: { ...process.env, ...env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  let out = '';
  proc.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${file}] ${d.toString()}`));
  const exited = new Promise<void>((resolve) => proc.child.once('exit', () => resolve()));
  return {
    proc,
    output: () => out,
    waitForLine: (pattern, timeoutMs = 20_000) =>
      eventually(`${file} printing ${pattern}`, () => {
        for (const line of out.split('\n')) {
          const m = pattern.exec(line);
          if (m) return m;
        }
        if (proc.child.exitCode !== null) throw new Error(`${file} exited with ${proc.child.exitCode}:\n${out}`);
        return undefined;
      }, timeoutMs),
    async kill9() {
      proc.child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Appends through Emmett's own SQL function (the one the store calls) inside a transaction the
 * caller controls, so a test can hold an append uncommitted, or roll it back.
 */
export async function appendInOpenTransaction(tx: ClientBase, stream: string, type: string, data: object, expectedVersion = 0n): Promise<{ eventId: string }> {
  const eventId = randomUUID();
  const metadata = { correlationId: 'req-open-tx', causationId: 'req-open-tx', schemaVersion: 1, occurredAt: new Date().toISOString() };
  const r = await tx.query<{ success: boolean }>(
    `SELECT success FROM emt_append_to_stream(ARRAY[$1]::text[], ARRAY[$2]::jsonb[], ARRAY[$3]::jsonb[], ARRAY['1']::text[],
       ARRAY[$4]::text[], ARRAY['E']::text[], $5::text, $6::text, $7::bigint, 'emt:default'::text)`,
    [eventId, JSON.stringify(data), JSON.stringify(metadata), type, stream, stream.split('-')[0], expectedVersion.toString()],
  );
  if (!r.rows[0]?.success) throw new Error(`append to ${stream} in the open transaction failed`);
  return { eventId };
}
