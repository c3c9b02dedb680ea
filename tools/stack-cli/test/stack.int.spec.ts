import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_NAMES, healthSubject } from '@pbx/contracts';
import { freePort } from '@pbx/testing';
import { connect } from 'nats';
import { createSocket } from 'node:dgram';
import { spawn } from 'node:child_process';

const run = promisify(execFile);
const root = join(__dirname, '../../..');
const stack = join(root, 'tools/stack');

const SIPP = join(root, 'apps/sip-edge/test/sipp');

/** Runs SIPp to its end; resolves with its exit code and stderr. */
function sipp(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('sipp', [...args, '-i', '127.0.0.1', '-nostdin', '-timeout', '30s', '-timeout_error'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

/** A phone's RTP socket: counts packets and answers each one (marked) to its sender; counts the marked ones that come back. */
async function rtpEcho(): Promise<{ port: number; received: () => number; returned: () => number; close(): void }> {
  const sock = createSocket('udp4');
  const port = await freePort();
  await new Promise<void>((r) => sock.bind(port, '127.0.0.1', () => r()));
  let received = 0;
  let returned = 0;
  sock.on('message', (m, from) => {
    if (m.length < 16) return;
    if (m.subarray(12, 16).toString('latin1') === 'ECHO') return void returned++;
    received++;
    const back = Buffer.from(m);
    back.write('ECHO', 12, 'latin1');
    sock.send(back, from.port, from.address);
  });
  return { port, received: () => received, returned: () => returned, close: () => sock.close() };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function processesUnder(dir: string): Promise<string[]> {
  return run('ps', ['-eo', 'pid,args']).then(({ stdout }) => stdout.split('\n').filter((l) => l.includes(dir) && !l.includes('ps -eo')));
}

describe('tools/stack (the whole server on one machine)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pbx-stack-e2e-'));
  let env: NodeJS.ProcessEnv;
  let trunkPort: number;

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
      SIP_WS_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
    // the demo provisioning with its carrier trunk on a free port (the demo's 5090 may be taken)
    trunkPort = await freePort();
    const demo = readFileSync(join(root, 'deploy/demo/provisioning.yaml'), 'utf8').replace(/port: 5090/, `port: ${trunkPort}`);
    env.PROVISIONING_FILE = join(dataDir, 'demo.yaml');
    writeFileSync(env.PROVISIONING_FILE, demo);
  });
  afterAll(async () => {
    await run(stack, ['down'], { env }).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('up --detach returns once every service is healthy and each answers over HTTP and NATS; calls placed by hand are heard both ways and show in the REST call log per role; an admin disconnects a live call from the channel view; down leaves no process', async () => {
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

    // Calls by hand, as a user would place them: SIPp phones and carrier against the stack.
    const edge = `127.0.0.1:${env.SIP_PORT}`;
    const domain = 'tokyo-1.pbx.test';
    const phone1001 = String(await freePort());
    const register = await sipp([edge, '-sf', join(SIPP, 'register.xml'), '-p', phone1001, '-m', '1', '-au', '1001', '-ap', 's3cret-1001', '-auth_uri', domain, '-key', 'user', '1001', '-key', 'domain', domain]);
    expect(register).toMatchObject({ code: 0 });
    // 1. carrier → DID 0312345679 → 1001, answered, RTP both ways
    const media = await rtpEcho();
    const answer = sipp(['-sf', join(SIPP, 'uas-answer.xml'), '-p', phone1001, '-m', '1', '-key', 'rtp_port', String(media.port), '-key', 'domain', domain]);
    const call1 = await sipp([edge, '-sf', join(SIPP, 'uac-call-with-audio.xml'), '-p', String(trunkPort), '-m', '1', '-s', '0312345679', '-d', '2000', '-rtp_echo', '-key', 'caller', '0399990001', '-key', 'domain', domain, '-key', 'rtp_port', '0']);
    expect(call1).toMatchObject({ code: 0 });
    expect(await answer).toMatchObject({ code: 0 });
    media.close();
    expect(media.received()).toBeGreaterThan(40); // the carrier's audio reached the phone…
    expect(media.returned()).toBeGreaterThan(20); // …and the phone's came back to the carrier
    // 2. carrier → DID 0312345678 → call center 5001: not served before the call-center issue (480)
    const expect480 = join(dataDir, 'uac-expect-480.xml');
    writeFileSync(expect480, readFileSync(join(SIPP, 'uac-expect-final.xml'), 'utf8').replace(/__STATUS__/g, '480'));
    const call2 = await sipp([edge, '-sf', expect480, '-p', String(trunkPort), '-m', '1', '-s', '0312345678', '-key', 'caller', '0399990002', '-key', 'domain', domain, '-key', 'rtp_port', '40000']);
    expect(call2).toMatchObject({ code: 0 });
    // 3. extension 1002 (agent1's phone) → 1001, answered
    const answer3 = sipp(['-sf', join(SIPP, 'uas-answer.xml'), '-p', phone1001, '-m', '1', '-key', 'rtp_port', '40002', '-key', 'domain', domain]);
    const call3 = await sipp([edge, '-sf', join(SIPP, 'uac-call-auth.xml'), '-p', String(await freePort()), '-m', '1', '-s', '1001', '-au', '1002', '-ap', 's3cret-1002', '-auth_uri', `1001@${edge}`, '-key', 'caller', '1002', '-key', 'domain', domain, '-key', 'rtp_port', '40004']);
    expect(call3).toMatchObject({ code: 0 });
    expect(await answer3).toMatchObject({ code: 0 });

    // The calls in the call log over REST, as each role may see them (SPEC §11)
    const api = `http://127.0.0.1:${env.HTTP_PORT}/api/v1`;
    const login = async (user: string, password: string): Promise<string> => {
      const r = await fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: user, password }) });
      expect(r.status).toBe(200);
      return ((await r.json()) as { accessToken: string }).accessToken;
    };
    type Item = { callee: string; result: string; direction: string };
    const callLogs = async (token: string): Promise<{ items: Item[]; total: number }> => {
      const r = await fetch(`${api}/call-logs?limit=100`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(200);
      return (await r.json()) as { items: Item[]; total: number };
    };
    const admin = await login('admin', 'admin-pass-1');
    const all = await until('three calls in the call log', async () => {
      const r = await callLogs(admin);
      return r.total >= 3 ? r : undefined;
    });
    expect(all.items.find((i) => i.callee === '0312345679')).toMatchObject({ result: 'answered', direction: 'incoming' });
    expect(all.items.find((i) => i.callee === '1001' && i.direction === 'internal')).toMatchObject({ result: 'answered' });
    expect(all.items.find((i) => i.callee === '0312345678')).toBeDefined();
    const sv1 = await callLogs(await login('sv1', 'sv1-pass-1'));
    expect(sv1.items.map((i) => i.callee)).toEqual(['0312345678']); // granted number only
    const agent1 = await callLogs(await login('agent1', 'agent1-pass-1'));
    expect(agent1.items.map((i) => i.callee)).toEqual(['1001']); // the calls of agent1's own extension 1002

    // 4. チャネル使用状況 and admin disconnect (SPEC Q-6, C-6): a live carrier call shows in
    // GET /channels; DELETE ends it — both phones get BYE — and the channel comes back.
    const answer4 = sipp(['-sf', join(SIPP, 'uas-answer.xml'), '-p', phone1001, '-m', '1', '-key', 'rtp_port', '40006', '-key', 'domain', domain]);
    const call4 = sipp([edge, '-sf', join(SIPP, 'uac-wait-bye.xml'), '-p', String(trunkPort), '-m', '1', '-s', '0312345679', '-key', 'caller', '0399990004', '-key', 'domain', domain, '-key', 'rtp_port', '40008']);
    type Usage = { legs: Array<{ legId: string; farEnd: { kind: string } }>; pools: { channel: { held: number } } };
    const channels = async (token: string): Promise<Usage> => (await (await fetch(`${api}/channels`, { headers: { authorization: `Bearer ${token}` } })).json()) as Usage;
    const live = await until('the live call in the channel usage', async () => {
      const u = await channels(admin);
      return u.legs.length === 1 ? u : undefined;
    });
    expect(live.legs[0].farEnd.kind).toBe('trunk');
    const sv1Token = await login('sv1', 'sv1-pass-1');
    expect((await fetch(`${api}/channels/${live.legs[0].legId}`, { method: 'DELETE', headers: { authorization: `Bearer ${sv1Token}` } })).status).toBe(403);
    const del = await fetch(`${api}/channels/${live.legs[0].legId}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    expect(del.status).toBe(202);
    expect(await call4).toMatchObject({ code: 0 }); // the carrier got BYE
    expect(await answer4).toMatchObject({ code: 0 }); // and so did the phone
    await until('the channel back', async () => ((await channels(admin)).pools.channel.held === 0 ? true : undefined));

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
