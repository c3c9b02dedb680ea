import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Pool } from 'pg';
import { migrateEventStore } from '@pbx/event-store';
import { createTestDatabase, eventually, freePort, ManagedProcess, startProcess, testDir, testNatsUrl, testRtpengineDtmf, testRtpengineNg, uniqueName } from '@pbx/testing';

// A real stack for sip-edge's integration tests: dialplan and channel-quota as child processes
// (their own main.ts through the TS require hook), sip-edge itself as a child process, on the
// throwaway nats-server / PostgreSQL / rtpengine that Jest's globalSetup started. SIPp plays
// the phones and the carrier.

export const repoRoot = join(__dirname, '../../../..');
const SIPP_DIR = join(__dirname, '../sipp');

export interface StackOptions {
  channelLimit?: number;
  ringTimeoutSeconds?: number;
  overLimitForward?: string;
  quota?: boolean;
  /** Listen for rtpengine's DTMF reports (one stack per Jest run may). */
  dtmf?: boolean;
  /** channel-quota instances in the queue group (SPEC Q-4 under two replicas). */
  quotaReplicas?: number;
  edgeEnv?: Record<string, string>;
  /** The provisioning to run on instead of the small fixture below (given the carrier trunk's free port). */
  provisioning?: (trunkPort: number) => { text: string; serverId: string; domain: string };
  /** Extra YAML appended under `extensions:` etc. is not needed: the fixture has 1001–1004, group 6001, DIDs. */
}

export interface EdgeStack {
  serverId: string;
  domain: string;
  databaseUrl: string;
  provisioningFile: string;
  sipPort: number;
  wsPort: number;
  httpUrl: string;
  trunkPort: number;
  edge: ManagedProcess;
  edgeLog(): string;
  /** name → pid of every process this stack started (for CPU accounting in benches). */
  processes(): Array<{ name: string; pid: number | undefined }>;
  startEdge(extraEnv?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export const PASSWORDS: Record<string, string> = { '1001': 's3cret-1001', '1002': 's3cret-1002', '1003': 's3cret-1003', '1004': 's3cret-1004' };
export const DIDS = { toPhone: '0312345679', toGroup: '0501234567' };

export function writeEdgeProvisioning(o: { trunkPort: number; channelLimit: number; ringTimeoutSeconds: number; overLimitForward?: string }): { file: string; serverId: string; domain: string } {
  const serverId = uniqueName('edge').replace(/_/g, '-');
  const domain = `${serverId}.pbx.test`;
  const file = join(testDir(), `${serverId}.provisioning.yaml`);
  writeFileSync(
    file,
    [
      'server:',
      `  id: ${serverId}`,
      `  domain: ${domain}`,
      '  federationPrefix: "11"',
      `  channelLimit: ${o.channelLimit}`,
      '  mobileChannelLimit: 2',
      '  defaultNotificationNumber: "0312345678"',
      `  overLimitForward: ${o.overLimitForward === undefined ? 'null' : JSON.stringify(o.overLimitForward)}`,
      `  ringTimeoutSeconds: ${o.ringTimeoutSeconds}`,
      'trunks:',
      `  - { id: carrier-a, host: 127.0.0.1, port: ${o.trunkPort}, transport: udp, dids: ["0312345678", "0312345679", "0501234567"] }`,
      'extensions:',
      ...['1001', '1002', '1003', '1004'].map((n) => `  - { number: "${n}", kind: softphone, name: "Phone ${n}", password: "${PASSWORDS[n]}" }`),
      'groups:',
      '  - { number: "6001", name: Front desk, members: ["1003", "1004"] }',
      'dids:',
      '  - { number: "0312345678", target: "1001" }',
      '  - { number: "0312345679", target: "1002" }',
      '  - { number: "0501234567", target: "6001" }',
      'accounts:',
      '  - { login: admin, role: system-admin, password: "admin-pass-1" }',
      '',
    ].join('\n'),
  );
  return { file, serverId, domain };
}

function writeGiven(p: { text: string; serverId: string; domain: string }): { file: string; serverId: string; domain: string } {
  const file = join(testDir(), `${uniqueName(p.serverId)}.provisioning.yaml`);
  writeFileSync(file, p.text);
  return { file, serverId: p.serverId, domain: p.domain };
}

function tsMain(name: string, main: string, env: Record<string, string>, logFile: string): ManagedProcess {
  return startProcess(name, process.execPath, ['--require', join(repoRoot, 'tools/run-ts.cjs'), join(repoRoot, main)], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    logFile,
  });
}

async function waitHealthy(url: string, proc: ManagedProcess, what: string, timeoutMs = 30_000): Promise<void> {
  let exited = false;
  const exit = new Promise<never>((_, reject) =>
    proc.child.once('exit', (code) => {
      exited = true;
      reject(new Error(`${what} exited during boot (code ${code}); see its log in the test folder`));
    }),
  );
  exit.catch(() => undefined);
  const healthy = eventually(
    `${what} healthy`,
    async () => {
      if (exited) return true; // the race is already lost to `exit`: stop polling
      try {
        const r = await fetch(`${url}/health`);
        return r.status === 200;
      } catch {
        return false;
      }
    },
    timeoutMs,
    100,
  );
  await Promise.race([healthy, exit]);
}

export async function startEdgeStack(o: StackOptions = {}): Promise<EdgeStack> {
  const databaseUrl = await createTestDatabase('edge');
  await migrateEventStore(databaseUrl);
  const trunkPort = await freePort();
  const prov = o.provisioning === undefined ? writeEdgeProvisioning({ trunkPort, channelLimit: o.channelLimit ?? 10, ringTimeoutSeconds: o.ringTimeoutSeconds ?? 30, overLimitForward: o.overLimitForward }) : writeGiven(o.provisioning(trunkPort));
  const nats = testNatsUrl();
  const dir = testDir();
  const procs: ManagedProcess[] = [];
  const dpPort = await freePort();
  const dialplan = tsMain('dialplan', 'apps/dialplan/src/main.ts', { NATS_URL: nats, PROVISIONING_FILE: prov.file, HTTP_PORT: String(dpPort) }, join(dir, `${prov.serverId}-dialplan.log`));
  procs.push(dialplan);
  const boots = [waitHealthy(`http://127.0.0.1:${dpPort}`, dialplan, 'dialplan')];
  for (let i = 0; o.quota !== false && i < (o.quotaReplicas ?? 1); i++) {
    const cqPort = await freePort();
    const quota = tsMain(
      `channel-quota-${i}`,
      'apps/channel-quota/src/main.ts',
      { NATS_URL: nats, DATABASE_URL: databaseUrl, PROVISIONING_FILE: prov.file, HTTP_PORT: String(cqPort), REAPER_INTERVAL_MS: '200' },
      join(dir, `${prov.serverId}-channel-quota-${i}.log`),
    );
    procs.push(quota);
    boots.push(waitHealthy(`http://127.0.0.1:${cqPort}`, quota, `channel-quota-${i}`));
  }
  await Promise.all(boots);

  const sipPort = await freePort();
  const wsPort = await freePort();
  const httpPort = await freePort();
  const edgeLogFile = join(dir, `${prov.serverId}-sip-edge.log`);
  const ng = testRtpengineNg();
  const stack: EdgeStack = {
    serverId: prov.serverId,
    domain: prov.domain,
    databaseUrl,
    provisioningFile: prov.file,
    sipPort,
    wsPort,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    trunkPort,
    edge: undefined as unknown as ManagedProcess,
    processes: () => [...procs, stack.edge].map((p) => ({ name: p.name, pid: p.child.pid })),
    edgeLog: () => {
      try {
        return readFileSync(edgeLogFile, 'utf8');
      } catch {
        return '';
      }
    },
    startEdge: async (extraEnv = {}) => {
      stack.edge = tsMain(
        'sip-edge',
        'apps/sip-edge/src/main.ts',
        {
          NATS_URL: nats,
          DATABASE_URL: databaseUrl,
          PROVISIONING_FILE: prov.file,
          HTTP_PORT: String(httpPort),
          SIP_UDP_PORT: String(sipPort),
          SIP_TCP_PORT: String(sipPort),
          SIP_WS_PORT: String(wsPort),
          RTPENGINE_NG: `${ng.host}:${ng.port}`,
          // rtpengine's --dtmf-log-dest: only one sip-edge per test run may listen there
          ...(o.dtmf === true ? { DTMF_LISTEN_PORT: String(testRtpengineDtmf().port) } : {}),
          CHANNEL_QUOTA: o.quota === false ? 'off' : 'on',
          CHANNEL_LEASE_MS: '3000',
          TRUNK_OPTIONS_SECONDS: '0',
          DIGEST_NONCE_SECRET: 'test-nonce-secret-0123456789',
          ...o.edgeEnv,
          ...extraEnv,
        },
        edgeLogFile,
      );
      await waitHealthy(stack.httpUrl, stack.edge, 'sip-edge');
    },
    stop: async () => {
      await stack.edge?.stop(2_000);
      await Promise.all(procs.map((p) => p.stop(2_000)));
    },
  };
  await stack.startEdge();
  return stack;
}

// ------------------------------------------------------------------ SIPp

export interface SippRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SippOptions {
  scenario: string;
  /** target host:port (omit for a UAS) */
  remote?: string;
  localPort: number;
  keys?: Record<string, string>;
  calls?: number;
  rate?: number;
  /** -d: pause length in ms */
  durationMs?: number;
  user?: string;
  password?: string;
  service?: string;
  timeoutSeconds?: number;
  extra?: string[];
  authUri?: string;
  /** Replace __STATUS__ in the scenario (expect-final scenarios). */
  status?: number;
}

/** Runs SIPp to the end. Exit code 0 = every call succeeded. */
export function sipp(o: SippOptions): { done: Promise<SippRun>; kill(): void; pid: number | undefined } {
  let file = isAbsolute(o.scenario) ? o.scenario : join(SIPP_DIR, o.scenario);
  if (o.status !== undefined) {
    const text = readFileSync(file, 'utf8').replace(/__STATUS__/g, String(o.status));
    file = join(testDir(), `${uniqueName(o.scenario.replace(/\.xml$/, ''))}-${o.status}.xml`);
    writeFileSync(file, text);
  }
  const keys = { rtp_port: '40000', caller: '0312340000', domain: '127.0.0.1', ...o.keys };
  const args = [
    ...(o.remote !== undefined ? [o.remote] : []),
    '-sf',
    file,
    '-i',
    '127.0.0.1',
    '-p',
    String(o.localPort),
    '-m',
    String(o.calls ?? 1),
    '-r',
    String(o.rate ?? 10),
    '-d',
    String(o.durationMs ?? 200),
    '-timeout',
    `${o.timeoutSeconds ?? 20}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_err',
    '-error_file',
    join(testDir(), `${uniqueName('sipp')}-errors.log`),
    ...(o.service !== undefined ? ['-s', o.service] : []),
    ...(o.user !== undefined ? ['-au', o.user] : []),
    ...(o.password !== undefined ? ['-ap', o.password] : []),
    // SIPp digests "sip:<remote>" unless told the Request-URI (RFC 3261 §22.4 wants the Request-URI)
    ...(o.authUri !== undefined ? ['-auth_uri', o.authUri] : o.user !== undefined && o.service !== undefined && o.remote !== undefined ? ['-auth_uri', `${o.service}@${o.remote}`] : []),
    ...Object.entries(keys).flatMap(([k, v]) => ['-key', k, v]),
    ...(o.extra ?? []),
  ];
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: testDir() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<SippRun>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { done, kill: () => child.kill('SIGKILL'), pid: child.pid };
}

/** SIPp exit 0 = every call of the scenario succeeded; otherwise fail the test with what it saw. */
export function passed(run: SippRun): void {
  if (run.code !== 0) throw new Error(`sipp exited ${run.code}:\n${run.stderr.slice(-3000)}`);
}

/** Registers `user` from SIPp's port `localPort` (the phone then answers there with a UAS scenario). */
export async function registerPhone(stack: EdgeStack, user: string, localPort: number, password = PASSWORDS[user]): Promise<void> {
  const r = await sipp({
    scenario: 'register.xml',
    remote: `127.0.0.1:${stack.sipPort}`,
    localPort,
    user,
    password,
    keys: { user, domain: stack.domain },
    authUri: stack.domain,
  }).done;
  if (r.code !== 0) throw new Error(`REGISTER of ${user} failed (sipp exit ${r.code}): ${r.stderr.slice(-2000)}`);
}

// ------------------------------------------------------------------ events

export interface StoredLegEvent {
  streamId: string;
  type: string;
  data: Record<string, unknown>;
  position: bigint;
}

/** Every leg event in the store, in commit order. */
export async function readLegEvents(databaseUrl: string): Promise<StoredLegEvent[]> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const r = await pool.query<{ stream_id: string; message_type: string; message_data: Record<string, unknown>; global_position: string }>(
      "SELECT stream_id, message_type, message_data, global_position FROM emt_messages WHERE stream_id LIKE 'leg-%' ORDER BY global_position",
    );
    return r.rows.map((row) => ({ streamId: row.stream_id, type: row.message_type, data: row.message_data, position: BigInt(row.global_position) }));
  } finally {
    await pool.end();
  }
}

/** The legs of the calls whose a-leg called `callee`, newest call last: legId → event types. */
export async function legsOfCallTo(databaseUrl: string, callee: string): Promise<Array<{ requestId: string; legs: Map<string, StoredLegEvent[]> }>> {
  const events = await readLegEvents(databaseUrl);
  const calls = new Map<string, Map<string, StoredLegEvent[]>>();
  const wanted = new Set<string>();
  for (const e of events) {
    const requestId = String(e.data['callId']);
    if (e.type === 'LegCreated' && e.data['side'] === 'a-leg' && e.data['callee'] === callee) wanted.add(requestId);
    const legs = calls.get(requestId) ?? new Map<string, StoredLegEvent[]>();
    const legId = String(e.data['legId']);
    legs.set(legId, [...(legs.get(legId) ?? []), e]);
    calls.set(requestId, legs);
  }
  return [...wanted].map((requestId) => ({ requestId, legs: calls.get(requestId) ?? new Map() }));
}

/** One call's legs: the caller's (a) and those it rang (b). */
export interface CallLegs {
  a: StoredLegEvent[];
  b: StoredLegEvent[][];
}

export function legsBySide(legs: Map<string, StoredLegEvent[]>): CallLegs {
  let a: StoredLegEvent[] = [];
  const b: StoredLegEvent[][] = [];
  for (const events of legs.values()) {
    if (events[0]?.data['side'] === 'a-leg') a = events;
    else b.push(events);
  }
  return { a, b };
}

/** The newest call to `callee` once it has `legCount` legs and every one of them has ended. */
export async function lastCallTo(stack: EdgeStack, callee: string, legCount: number): Promise<CallLegs> {
  return eventually(
    `the events of the call to ${callee}`,
    async () => {
      const last = (await legsOfCallTo(stack.databaseUrl, callee)).at(-1);
      if (last === undefined || last.legs.size < legCount) return undefined;
      const sides = legsBySide(last.legs);
      return [sides.a, ...sides.b].every((l) => l.at(-1)?.type === 'LegEnded') ? sides : undefined;
    },
    15_000,
    100,
  );
}

/** Waits for a call to `callee` newer than the first `before` ones with both legs answered. */
export async function answeredCallTo(stack: EdgeStack, callee: string, before: number): Promise<void> {
  await eventually(
    'the call to be answered',
    async () => {
      const calls = await legsOfCallTo(stack.databaseUrl, callee);
      if (calls.length <= before) return false;
      const legs = [...(calls.at(-1)?.legs.values() ?? [])];
      return legs.length === 2 && legs.every((events) => events.some((e) => e.type === 'LegAnswered'));
    },
    15_000,
    100,
  );
}
