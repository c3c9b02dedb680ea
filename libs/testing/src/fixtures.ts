import { randomBytes } from 'node:crypto';
import { ensureDatabase } from './infra/processes';
import { TEST_ENV } from './infra/test-infra';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this test through an int target (jest.int.config.cjs), whose globalSetup starts the infrastructure`);
  return v;
}

export const testNatsUrl = (): string => required(TEST_ENV.natsUrl);
export const testRtpengineNg = (): { host: string; port: number } => {
  const [host, port] = required(TEST_ENV.rtpengineNg).split(':');
  return { host, port: Number(port) };
};
export const testRtpengineDtmf = (): { host: string; port: number } => {
  const [host, port] = required(TEST_ENV.rtpengineDtmf).split(':');
  return { host, port: Number(port) };
};
export const testDir = (): string => required(TEST_ENV.dir);

/** A fresh, empty database for one test file, so test files never see each other's rows. */
export async function createTestDatabase(prefix = 't'): Promise<string> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  return ensureDatabase(required(TEST_ENV.pgAdminUrl), name);
}

/** A unique token for subjects, stream names and ids inside a shared NATS. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(4).toString('hex')}`;

/**
 * Waits until `probe` returns a value that is not undefined/false (STYLE.md: wait on a
 * condition, never sleep). Fails with the last error or `what` after `timeoutMs`.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
