import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parse, parseDocument } from 'yaml';
import { migrateEventStore } from '@pbx/event-store';
import { createTestDatabase, eventually, freePort, ManagedProcess, startProcess, testDir, testNatsUrl, testRtpengineNg } from '@pbx/testing';
import { EdgeStack, repoRoot, sipp } from './edge-stack';

// The real stack (dialplan, channel-quota, sip-edge as processes on the Jest run's nats-server,
// PostgreSQL and rtpengine) started on deploy/demo/provisioning.yaml itself rather than on the
// small fixture edge-stack.ts writes. The only change to the demo file is the carrier trunk's
// port: the demo points it at 127.0.0.1:5090, the test moves it to a free port where SIPp plays
// the carrier. Same process settings as startEdgeStack.

export const DEMO_PROVISIONING_FILE = join(repoRoot, 'deploy/demo/provisioning.yaml');
const DEMO_TRUNK = { host: '127.0.0.1', port: 5090 };

/** The demo provisioning with its 127.0.0.1:5090 trunk moved to `trunkPort`; comments, quoting and every other value kept. */
export function demoProvisioningText(trunkPort: number): string {
  const doc = parseDocument(readFileSync(DEMO_PROVISIONING_FILE, 'utf8'));
  const trunks = doc.get('trunks');
  if (!isSeq(trunks)) throw new Error(`${DEMO_PROVISIONING_FILE}: no trunks list`);
  const local = trunks.items.filter((t) => isMap(t) && t.get('host') === DEMO_TRUNK.host && Number(t.get('port')) === DEMO_TRUNK.port);
  const trunk = local[0];
  if (local.length !== 1 || !isMap(trunk)) throw new Error(`${DEMO_PROVISIONING_FILE}: expected exactly one trunk at ${DEMO_TRUNK.host}:${DEMO_TRUNK.port}, found ${local.length}`);
  trunk.set('port', trunkPort);
  return doc.toString();
}

interface DemoFacts {
  serverId: string;
  domain: string;
  /** SIP digest passwords of the demo's softphones and hardphones. */
  passwords: Map<string, string>;
}

function demoFacts(text: string): DemoFacts {
  const doc = parse(text) as { server: { id: string; domain: string }; extensions: Array<{ number: string; password?: string }> };
  const passwords = new Map<string, string>();
  for (const e of doc.extensions) if (e.password !== undefined) passwords.set(e.number, e.password);
  return { serverId: doc.server.id, domain: doc.server.domain, passwords };
}

export interface DemoStack extends EdgeStack {
  /** The demo extension's password (the phone registers and dials with digest). */
  passwordOf(extension: string): string;
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
      if (exited) return true; // the race is already lost to `exit`; stop polling
      try {
        return (await fetch(`${url}/health`)).status === 200;
      } catch {
        return false;
      }
    },
    timeoutMs,
    100,
  );
  await Promise.race([healthy, exit]);
}

/** dialplan, one channel-quota and sip-edge on a copy of the demo provisioning. */
export async function startDemoStack(): Promise<DemoStack> {
  const databaseUrl = await createTestDatabase('edge_demo');
  await migrateEventStore(databaseUrl);
  const trunkPort = await freePort();
  const text = demoProvisioningText(trunkPort);
  const facts = demoFacts(text);
  const dir = testDir();
  const tag = `demo-${trunkPort}`;
  const provisioningFile = join(dir, `${tag}.provisioning.yaml`);
  writeFileSync(provisioningFile, text);
  const nats = testNatsUrl();

  const dpPort = await freePort();
  const cqPort = await freePort();
  const dialplan = tsMain('dialplan', 'apps/dialplan/src/main.ts', { NATS_URL: nats, PROVISIONING_FILE: provisioningFile, HTTP_PORT: String(dpPort) }, join(dir, `${tag}-dialplan.log`));
  const quota = tsMain(
    'channel-quota',
    'apps/channel-quota/src/main.ts',
    { NATS_URL: nats, DATABASE_URL: databaseUrl, PROVISIONING_FILE: provisioningFile, HTTP_PORT: String(cqPort), REAPER_INTERVAL_MS: '200' },
    join(dir, `${tag}-channel-quota.log`),
  );
  const procs = [dialplan, quota];
  try {
    await Promise.all([waitHealthy(`http://127.0.0.1:${dpPort}`, dialplan, 'dialplan'), waitHealthy(`http://127.0.0.1:${cqPort}`, quota, 'channel-quota')]);
  } catch (e) {
    await Promise.all(procs.map((p) => p.stop(2_000)));
    throw e;
  }

  const sipPort = await freePort();
  const wsPort = await freePort();
  const httpPort = await freePort();
  const edgeLogFile = join(dir, `${tag}-sip-edge.log`);
  const ng = testRtpengineNg();
  const stack: DemoStack = {
    serverId: facts.serverId,
    domain: facts.domain,
    databaseUrl,
    provisioningFile,
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
          PROVISIONING_FILE: provisioningFile,
          HTTP_PORT: String(httpPort),
          SIP_UDP_PORT: String(sipPort),
          SIP_TCP_PORT: String(sipPort),
          SIP_WS_PORT: String(wsPort),
          RTPENGINE_NG: `${ng.host}:${ng.port}`,
          CHANNEL_QUOTA: 'on',
          CHANNEL_LEASE_MS: '3000',
          TRUNK_OPTIONS_SECONDS: '0',
          DIGEST_NONCE_SECRET: 'test-nonce-secret-0123456789',
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
    passwordOf: (extension) => {
      const p = facts.passwords.get(extension);
      if (p === undefined) throw new Error(`the demo provisioning has no password for ${extension}`);
      return p;
    },
  };
  try {
    await stack.startEdge();
  } catch (e) {
    await stack.stop();
    throw e;
  }
  return stack;
}

/** Registers demo extension `user` from SIPp's port `localPort` (the phone then answers there with a UAS scenario). */
export async function registerDemoPhone(stack: DemoStack, user: string, localPort: number): Promise<void> {
  const r = await sipp({
    scenario: 'register.xml',
    remote: `127.0.0.1:${stack.sipPort}`,
    localPort,
    user,
    password: stack.passwordOf(user),
    keys: { user, domain: stack.domain },
    authUri: stack.domain,
  }).done;
  if (r.code !== 0) throw new Error(`REGISTER of ${user} failed (sipp exit ${r.code}): ${r.stderr.slice(-2000)}`);
}
