import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_NAMES, healthSubject } from '@pbx/contracts';
import { freePort } from '@pbx/testing';
import { connect } from 'nats';

const run = promisify(execFile);
const root = join(__dirname, '../../..');
const stack = join(root, 'tools/stack');

function processesUnder(dir: string): Promise<string[]> {
  return run('ps', ['-eo', 'pid,args']).then(({ stdout }) => stdout.split('\n').filter((l) => l.includes(dir) && !l.includes('ps -eo')));
}

describe('tools/stack (the whole server on one machine)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pbx-stack-e2e-'));
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // The services' ports are a fixed block from a base: keep it below the kernel's ephemeral
    // range, where any outgoing connection may already hold a port (seen: EADDRINUSE on one).
    const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const base = Math.min(ephemeralLow, 32768) - 12000 + Math.floor(Math.random() * 500) * 20;
    env = {
      ...process.env,
      STACK_DATA_DIR: dataDir,
      STACK_NATS_PORT: String(await freePort()),
      STACK_PG_PORT: String(await freePort()),
      RTPENGINE_NG_PORT: String(await freePort()),
      RTPENGINE_DTMF_PORT: String(await freePort()),
      RTP_PORT_MIN: String(base + 100),
      RTP_PORT_MAX: String(base + 199),
      HTTP_PORT: String(await freePort()),
      STACK_SERVICE_PORT_BASE: String(base),
      SIP_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    await run(stack, ['down'], { env }).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('up --detach returns once every service is healthy, each answers over HTTP and NATS, and down leaves no process', async () => {
    const up = await run(stack, ['up', '--detach'], { env, timeout: 240_000 });
    expect(up.stdout).toMatch(/stack up: 11 services healthy/);

    const status = await run(stack, ['status'], { env });
    for (const s of SERVICE_NAMES) expect(status.stdout).toMatch(new RegExp(`${s}\\s+pid \\d+\\s+ok`));

    const nc = await connect({ servers: `nats://127.0.0.1:${env.STACK_NATS_PORT}` });
    for (const s of SERVICE_NAMES) {
      const reply = JSON.parse((await nc.request(healthSubject(s), Buffer.from('{}'), { timeout: 3000 })).string());
      expect(reply).toMatchObject({ service: s, status: 'ok', checks: { nats: { status: 'ok' }, postgres: { status: 'ok' } } });
    }
    await nc.close();
    expect((await processesUnder(dataDir)).length).toBeGreaterThanOrEqual(3);

    const down = await run(stack, ['down'], { env, timeout: 90_000 });
    expect(down.stdout).toMatch(/stack down/);
    expect(await processesUnder(dataDir)).toEqual([]);
    const after = await run(stack, ['status'], { env }).catch((e: { code: number; stdout: string }) => e);
    expect(after).toMatchObject({ code: 3, stdout: expect.stringMatching(/not running/) });
  }, 300_000);

  it('refuses to start with a bad provisioning file, listing every error, and starts nothing', async () => {
    const bad = join(dataDir, 'bad.yaml');
    writeFileSync(bad, 'server:\n  id: x\n  federationPrefix: "7"\nextensions:\n  - number: "99"\n    kind: phone\n');
    const r = await run(stack, ['up', '--detach'], { env: { ...env, PROVISIONING_FILE: bad }, timeout: 120_000 }).catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 1 });
    const text = (r as { stderr: string }).stderr;
    expect(text).toMatch(/rejected/);
    expect(text).toMatch(/federationPrefix/);
    expect(text).toMatch(/extensions\[0\]/);
    expect(await processesUnder(dataDir)).toEqual([]);
    const check = await run(stack, ['provision', bad, '--check'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(check).toMatchObject({ code: 1 });
  }, 180_000);

  it('provision --check accepts the demo file', async () => {
    const r = await run(stack, ['provision', join(root, 'deploy/demo/provisioning.yaml'), '--check'], { env });
    expect(r.stdout).toMatch(/valid/);
  });
});
