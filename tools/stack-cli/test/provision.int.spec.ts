import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTestDatabase } from '@pbx/testing';

const run = promisify(execFile);
const root = join(__dirname, '../../..');
const stack = join(root, 'tools/stack');
const demoFile = join(root, 'deploy/demo/provisioning.yaml');
const demo = readFileSync(demoFile, 'utf8');
const CLEAR_TEXT = ['s3cret-1001', 's3cret-1006', 'admin-pass-1', 'agent3-pass-1', 's3cret-1007'];

type Run = { code: number; stdout: string; stderr: string };

// `tools/stack provision FILE` as a user runs it, against a real PostgreSQL. A "running stack"
// is its state file (pid alive, database, server id): what the command reads to find the stack.
// The whole stack's start is covered by stack.int.spec.ts; it is not needed to apply a file.
describe('tools/stack provision FILE (issue #4: apply without restart)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pbx-provision-'));
  const file = (name: string, text: string) => {
    const path = join(dataDir, name);
    writeFileSync(path, text);
    return path;
  };
  let databaseUrl: string;
  let db: Client;
  const baseEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, STACK_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL; // a developer's machine may set these (PLATFORM.md): the test decides
    delete env.NATS_URL;
    return env;
  };
  const provision = (args: string[], env: NodeJS.ProcessEnv = baseEnv()): Promise<Run> =>
    run(stack, ['provision', ...args], { env, timeout: 60_000 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: Run) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  const stored = async () => (await db.query<{ type: string; data: string }>(`SELECT message_type AS type, message_data::text AS data FROM emt_messages WHERE stream_id = 'provisioning-tokyo-1' ORDER BY stream_position`)).rows;
  const pretendStackRuns = () =>
    writeFileSync(join(dataDir, 'stack.json'), JSON.stringify({ pid: process.pid, phase: 'up', startedAt: new Date().toISOString(), natsUrl: 'nats://127.0.0.1:1', databaseUrl, serverId: 'tokyo-1', parts: [] }));

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('provision');
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a bad file: exit 1, every error listed by path, nothing applied', async () => {
    const bad = file('bad.yaml', demo.replace('federationPrefix: "11"', 'federationPrefix: "7"').replace('number: "1006"', 'number: "999"').replace('members: ["1001", "1002", "2001"]', 'members: ["1001", "4444"]'));
    pretendStackRuns();
    const r = await provision([bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rejected, \d+ error\(s\)/);
    expect(r.stderr).toMatch(/server\.federationPrefix: .*\(F-2\)/);
    expect(r.stderr).toMatch(/extensions\[5\]\.number: .*\(N-1\)/);
    expect(r.stderr).toMatch(/groups\[0\]\.members\[1\]/);
    expect(r.stdout).toBe('');
    await expect(db.query(`SELECT to_regclass('emt_messages') AS t`)).resolves.toMatchObject({ rows: [{ t: null }] }); // not even migrated
  }, 90_000);

  it('--check validates only', async () => {
    const r = await provision([demoFile, '--check']);
    expect(r).toMatchObject({ code: 0, stdout: `${demoFile}: valid\n` });
  }, 90_000);

  it('applies to the running stack: one event, the summary and diff printed; a second file adds one extension; the same file again changes nothing', async () => {
    pretendStackRuns();
    const first = await provision([demoFile]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied to tokyo-1 as version 1 \(sha256 [0-9a-f]{12}…\)/);
    expect(first.stdout).toMatch(/ {2}8 extensions, 2 groups, 1 call center, 0 IVRs, 4 DIDs, 1 trunk, 5 accounts, 1 federation peer/);
    expect(first.stdout).toMatch(/added: {3}server, trunk carrier-a, extension 1001,/);

    const more = file('more.yaml', demo.replace('extensions:\n', 'extensions:\n  - { number: "1007", kind: softphone, name: Kobayashi, password: "s3cret-1007" }\n'));
    const second = await provision([more]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/applied to tokyo-1 as version 2/);
    expect(second.stdout).toMatch(/added: {3}extension 1007\n {2}removed: \(none\)\n {2}changed: \(none\)/);

    const again = await provision([more]);
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toMatch(/unchanged — version 2 of tokyo-1 is already this document/);

    const events = await stored();
    expect(events.map((e) => e.type)).toEqual(['ProvisioningApplied', 'ProvisioningApplied']);
    expect(JSON.parse(events[1].data)).toMatchObject({ version: 2, source: more, appliedBy: 'tools/stack provision' });
    const all = events.map((e) => e.data).join('\n');
    for (const pw of CLEAR_TEXT) expect(all).not.toContain(pw);
    expect(all).toContain('digest-ha1:md5=');
  }, 180_000);

  it('refuses a file for another server id (exit 1), and a missing stack', async () => {
    pretendStackRuns();
    const other = file('other.yaml', demo.replace('id: tokyo-1', 'id: nagoya-1').replace('domain: tokyo-1.pbx.test', 'domain: nagoya-1.pbx.test'));
    const r = await provision([other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not applied: this server is "tokyo-1" but the document is for "nagoya-1".*\[PROVISIONING\.SERVER_ID_CHANGED\]/);

    rmSync(join(dataDir, 'stack.json'));
    const none = await provision([demoFile]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no stack is running .* DATABASE_URL is not set/);
    expect((await stored()).length).toBe(2);
  }, 120_000);

  it('DATABASE_URL without a running stack applies there', async () => {
    const target = await createTestDatabase('provision_url');
    const r = await provision([demoFile], { ...baseEnv(), DATABASE_URL: target });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/applied to tokyo-1 as version 1/);
  }, 90_000);
});
