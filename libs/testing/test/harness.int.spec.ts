import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'nats';
import { Client } from 'pg';
import { createTestDatabase, eventually, ngPing, testNatsUrl, testRtpengineNg } from '../src';

const root = join(__dirname, '../../..');

function processesMentioning(token: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args']).toString().split('\n').filter((l) => l.includes(token) && !l.includes('ps -eo'));
}

describe('libs/testing harness', () => {
  it('gives each test file a reachable NATS with JetStream, its own PostgreSQL database, and rtpengine answering NG ping', async () => {
    const nc = await connect({ servers: testNatsUrl() });
    const jsm = await nc.jetstreamManager();
    expect((await jsm.getAccountInfo()).limits).toBeDefined();
    await nc.close();

    const url = await createTestDatabase('harness');
    const c = new Client({ connectionString: url });
    await c.connect();
    expect((await c.query('select current_database() as db')).rows[0].db).toMatch(/^harness_/);
    await c.end();

    expect(await ngPing(testRtpengineNg().port)).toBe(true);
  });

  it('leaves no process behind when the process that started the infrastructure is SIGKILLed', async () => {
    // A child node process starts its own infrastructure, prints its temp folder, then is killed -9.
    const child = spawn(process.execPath, ['--require', join(root, 'tools/run-ts.cjs'), join(__dirname, 'fixtures/start-infra-and-wait.ts')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    const dir = await eventually('child infra ready', () => /READY (\S+)/.exec(out)?.[1], 30_000);
    expect(processesMentioning(dir).length).toBeGreaterThanOrEqual(3); // nats, postgres, rtpengine

    child.kill('SIGKILL');
    await eventually('every child process gone', () => processesMentioning(dir).length === 0, 15_000);
    expect(processesMentioning(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(true); // a SIGKILL gives no chance to clean the folder; processes are what must not leak
    execFileSync('rm', ['-rf', dir]);
  });
});
