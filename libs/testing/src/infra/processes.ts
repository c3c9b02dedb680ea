import { ChildProcess, spawn, execFileSync } from 'node:child_process';
import { createServer, connect as netConnect } from 'node:net';
import { createSocket } from 'node:dgram';
import { mkdtempSync, mkdirSync, rmSync, chownSync, chmodSync, existsSync, createWriteStream, WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real infrastructure as child processes (ARCHITECTURE.md "Local stack"; PLATFORM.md).
 * Every child is started through `setpriv --pdeathsig KILL`, so the kernel kills it when the
 * process that started it dies for any reason (a crashed or SIGKILLed test run leaks nothing).
 */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pbx-${prefix}-`));
}

export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  opts: { asUser?: string; logFile?: string; cwd?: string; env?: NodeJS.ProcessEnv; echo?: NodeJS.WritableStream } = {},
): ManagedProcess {
  const wrapper = ['--pdeathsig', 'KILL'];
  if (opts.asUser && isRoot) wrapper.push(`--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--init-groups');
  const child = spawn('setpriv', [...wrapper, '--', command, ...args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log: WriteStream | undefined;
  if (opts.logFile) {
    log = createWriteStream(opts.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  if (opts.echo) {
    child.stdout?.pipe(opts.echo, { end: false });
    child.stderr?.pipe(opts.echo, { end: false });
  } else if (!log) {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      log?.end();
    },
  };
}

/** Polls `probe` until it resolves true, or fails after `timeoutMs` naming what it waited for. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000, proc?: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`${what}: process exited (${proc.child.exitCode ?? proc.child.signalCode}) before it was ready`);
    }
    try {
      if (await probe()) return;
    } catch {
      /* not ready yet */
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function tcpReachable(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------- nats-server

export interface NatsOptions { port?: number; dataDir: string; logFile?: string; binary?: string }
export interface RunningNats { url: string; port: number; process: ManagedProcess }

export async function startNats(o: NatsOptions): Promise<RunningNats> {
  const port = o.port ?? (await freePort());
  mkdirSync(o.dataDir, { recursive: true });
  const proc = startProcess('nats', o.binary ?? 'nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', o.dataDir], { logFile: o.logFile });
  await waitFor(`nats-server on ${port}`, () => tcpReachable(port), 10_000, proc);
  return { url: `nats://127.0.0.1:${port}`, port, process: proc };
}

// ---------------------------------------------------------------- PostgreSQL

export interface PostgresOptions { port?: number; dataDir: string; logFile?: string; binDir?: string; fsync?: boolean }
export interface RunningPostgres { url: string; port: number; process: ManagedProcess; adminUrl: string }

export function postgresBinDir(): string {
  for (const v of ['17', '16', '15']) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(dir, 'postgres'))) return dir;
  }
  throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
}

export async function startPostgres(o: PostgresOptions): Promise<RunningPostgres> {
  const bin = o.binDir ?? postgresBinDir();
  const port = o.port ?? (await freePort());
  const user = isRoot ? 'postgres' : undefined;
  if (!existsSync(join(o.dataDir, 'PG_VERSION'))) {
    mkdirSync(o.dataDir, { recursive: true });
    if (isRoot) {
      // initdb and postgres refuse to run as root (PLATFORM.md): the folder belongs to `postgres`.
      const { uid, gid } = userIds('postgres');
      chownSync(o.dataDir, uid, gid);
      chmodSync(o.dataDir, 0o700);
      openParents(o.dataDir);
    }
    const initArgs = ['-D', o.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'];
    execFileSync('setpriv', [...(isRoot ? ['--reuid=postgres', '--regid=postgres', '--init-groups'] : []), '--', join(bin, 'initdb'), ...initArgs], { stdio: 'pipe' });
  }
  const args = ['-D', o.dataDir, '-p', String(port), '-k', o.dataDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'shared_buffers=256MB'];
  if (!o.fsync) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const proc = startProcess('postgres', join(bin, 'postgres'), args, { asUser: user, logFile: o.logFile });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitFor(`postgres on ${port}`, () => pgAccepts(adminUrl), 20_000, proc);
  return { url: `postgres://postgres@127.0.0.1:${port}/pbx`, adminUrl, port, process: proc };
}

async function pgAccepts(url: string): Promise<boolean> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Creates database `name` if it does not exist. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
  const { Client } = await import('pg');
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (r.rowCount === 0) await c.query(`create database ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

function userIds(name: string): { uid: number; gid: number } {
  const out = execFileSync('id', [name]).toString();
  const uid = Number(/uid=(\d+)/.exec(out)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(out)?.[1]);
  return { uid, gid };
}

/** mkdtemp makes 0700 folders owned by root; `postgres` must be able to walk into its data dir. */
function openParents(dir: string): void {
  let d = join(dir, '..');
  while (d !== '/' && d !== tmpdir() && d.length > 1) {
    try {
      chmodSync(d, 0o755);
    } catch {
      return;
    }
    d = join(d, '..');
  }
}

// ---------------------------------------------------------------- rtpengine

export interface RtpengineOptions { ngPort?: number; dtmfPort?: number; portMin?: number; portMax?: number; recordingDir: string; logFile?: string; logLevel?: number }
export interface RunningRtpengine { ngPort: number; dtmfPort: number; portMin: number; portMax: number; process: ManagedProcess }

export async function startRtpengine(o: RtpengineOptions): Promise<RunningRtpengine> {
  const ngPort = o.ngPort ?? (await freePort());
  const dtmfPort = o.dtmfPort ?? (await freePort());
  const portMin = o.portMin ?? 20_000 + 200 * Math.floor(Math.random() * 200);
  const portMax = o.portMax ?? portMin + 199;
  mkdirSync(o.recordingDir, { recursive: true });
  const args = [
    '--config-file=none', '--table=-1', '--interface=127.0.0.1', `--listen-ng=127.0.0.1:${ngPort}`, '--foreground', '--log-stderr',
    `--port-min=${portMin}`, `--port-max=${portMax}`, `--dtmf-log-dest=127.0.0.1:${dtmfPort}`,
    `--recording-dir=${o.recordingDir}`, '--recording-method=pcap', `--log-level=${o.logLevel ?? 5}`,
    // a deleted call frees its ports at once (default: kept 30 s), so call-rate runs do not run out of ports
    '--delete-delay=0',
  ];
  const proc = startProcess('rtpengine', 'rtpengine', args, { logFile: o.logFile });
  await waitFor(`rtpengine NG on ${ngPort}`, () => ngPing(ngPort), 10_000, proc);
  return { ngPort, dtmfPort, portMin, portMax, process: proc };
}

/** One NG `ping` (bencoded `d7:command4:pinge`), answered by `pong`. */
export function ngPing(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const cookie = `p${Math.random().toString(36).slice(2, 10)}`;
    const t = setTimeout(() => {
      sock.close();
      resolve(false);
    }, timeoutMs);
    sock.on('message', (m) => {
      clearTimeout(t);
      sock.close();
      resolve(m.toString().startsWith(cookie) && m.toString().includes('pong'));
    });
    sock.on('error', () => resolve(false));
    sock.send(`${cookie} d7:command4:pinge`, port, '127.0.0.1');
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
