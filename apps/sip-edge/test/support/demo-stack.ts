import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parse, parseDocument } from 'yaml';
import { EdgeStack, registerPhone, repoRoot, startEdgeStack } from './edge-stack';

// The real stack of edge-stack.ts started on deploy/demo/provisioning.yaml itself rather than
// on its small fixture. The only change to the demo file is the carrier trunk's port: the demo
// points it at 127.0.0.1:5090, the test moves it to a free port where SIPp plays the carrier.

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

/** dialplan, one channel-quota and sip-edge (startEdgeStack) on a copy of the demo provisioning. */
export async function startDemoStack(): Promise<DemoStack> {
  let facts: DemoFacts | undefined;
  const stack = await startEdgeStack({
    provisioning: (trunkPort) => {
      const text = demoProvisioningText(trunkPort);
      facts = demoFacts(text);
      return { text, serverId: facts.serverId, domain: facts.domain };
    },
  });
  const passwords = facts?.passwords ?? new Map<string, string>();
  return Object.assign(stack, {
    passwordOf: (extension: string): string => {
      const p = passwords.get(extension);
      if (p === undefined) throw new Error(`the demo provisioning has no password for ${extension}`);
      return p;
    },
  });
}

/** Registers demo extension `user` from SIPp's port `localPort` with its demo password. */
export function registerDemoPhone(stack: DemoStack, user: string, localPort: number): Promise<void> {
  return registerPhone(stack, user, localPort, stack.passwordOf(user));
}
