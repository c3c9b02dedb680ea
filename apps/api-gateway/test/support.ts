// Test support for api-gateway's integration specs: the gateway in-process (runService, as
// main.ts boots it), the services behind it as real child processes, and HTTP helpers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runService, RunningService } from '@pbx/service-kit';
import { freePort, ManagedProcess, startProcess, testDir, testNatsUrl, uniqueName, waitFor } from '@pbx/testing';
import { ApiGatewayModule } from '../src/api-gateway.module';
import { Config, configSchema } from '../src/config';
import type { Clock } from '../src/tokens';

export const repoRoot = join(__dirname, '../../..');

/**
 * A server with one call center (5001, its DID 0312345678 and tied number 0501112222), a DID
 * 0312345679 → 1001 granted to the supervisor, and one
 * account per role case (SPEC A-1). Passwords are test values.
 */
export function writeGatewayProvisioning(): { file: string; serverId: string } {
  const serverId = uniqueName('gw').replace(/_/g, '-');
  const file = join(testDir(), `${serverId}.provisioning.yaml`);
  writeFileSync(
    file,
    [
      'server:',
      `  id: ${serverId}`,
      `  domain: ${serverId}.pbx.test`,
      '  channelLimit: 10',
      '  mobileChannelLimit: 2',
      '  defaultNotificationNumber: "0312345678"',
      'trunks:',
      '  - { id: carrier-a, host: 127.0.0.1, dids: ["0312345678", "0312345679", "0501112222"] }',
      'extensions:',
      '  - { number: "1001", kind: softphone, name: Sato, password: "s3cret-1001" }',
      '  - { number: "1002", kind: hardphone, name: Suzuki, password: "s3cret-1002" }',
      '  - { number: "1003", kind: softphone, name: Tanaka, password: "s3cret-1003" }',
      'callCenters:',
      '  - { number: "5001", name: Support, agents: [agent1, agent2], notificationNumber: "0501112222" }',
      'dids:',
      '  - { number: "0312345678", target: "5001" }',
      '  - { number: "0312345679", target: "1001" }',
      'accounts:',
      '  - { login: admin, role: system-admin, password: "admin-pass-1", email: admin@example.test }',
      '  - { login: sv1, role: supervisor, password: "sv1-pass-1", email: sv1@example.test, grants: { callCenters: ["5001"], numbers: ["0312345679"] } }',
      '  - { login: agent1, role: user, password: "agent1-pass-1", agent: { enabled: true, signIn: { type: extension, number: "1002" } } }',
      '  - { login: agent2, role: user, password: "agent2-pass-1", agent: { enabled: true, signIn: { type: external, number: "09087654321" } } }',
      '  - { login: nodevice, role: user, password: "nodevice-pass-1" }',
      '',
    ].join('\n'),
  );
  return { file, serverId };
}

export const PASSWORDS: Record<string, string> = {
  admin: 'admin-pass-1',
  sv1: 'sv1-pass-1',
  agent1: 'agent1-pass-1',
  agent2: 'agent2-pass-1',
  nodevice: 'nodevice-pass-1',
};

export function gatewayConfig(env: Record<string, string>): Config {
  return configSchema.parse({
    NATS_URL: testNatsUrl(),
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'int-test-secret-int-test-secret-0123456789',
    PASSWORD_SCRYPT_LOG2N: '12', // keeps boot and login quick; the format carries the cost
    ...env,
  });
}

export function bootGateway(config: Config, clock?: Clock): Promise<RunningService> {
  return runService({ service: 'api-gateway', config, imports: [ApiGatewayModule.register(config, clock)] });
}

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
  // Tests read into replies freely; the gateway's schemas are checked by the gateway itself.
  body: Record<string, unknown> & { error?: { code: string; message: string; [k: string]: unknown } };
}

export async function http(url: string, init: RequestInit & { token?: string; json?: unknown } = {}): Promise<HttpReply> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const res = await fetch(url, { ...init, headers, body });
  const text = await res.text();
  let parsed: HttpReply['body'] = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    /* not JSON (CSV, HTML) */
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

export async function login(baseUrl: string, account: string, password = PASSWORDS[account]): Promise<string> {
  const r = await http(`${baseUrl}/api/v1/auth/login`, { method: 'POST', json: { login: account, password } });
  if (r.status !== 200) throw new Error(`login ${account}: ${r.status} ${r.text}`);
  return r.body.accessToken as string;
}

/**
 * Another service of the repo as a real child process, from its sources (the require hook
 * compiles them), with its /health on a free port. Waits until it answers 200.
 */
export async function startRepoService(name: string, env: Record<string, string>, timeoutMs = 60_000): Promise<ManagedProcess & { healthUrl: string }> {
  const port = await freePort();
  const logFile = join(testDir(), `${name}-${port}.log`);
  const proc = startProcess(name, process.execPath, ['--require', join(repoRoot, 'tools/run-ts.cjs'), join(repoRoot, `apps/${name}/src/main.ts`)], {
    cwd: repoRoot,
    logFile,
    env: { ...process.env, NATS_URL: testNatsUrl(), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env },
  });
  const healthUrl = `http://127.0.0.1:${port}/health`;
  try {
    await waitFor(`${name} healthy (log: ${logFile})`, async () => (await fetch(healthUrl)).status === 200, timeoutMs, proc);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return Object.assign(proc, { healthUrl });
}
