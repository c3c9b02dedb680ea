import { canonicalJson } from './canonical-json';
import { Provisioning } from './provisioning.schema';
import { HashedProvisioning } from './provisioning.secrets';

/** Diffs and summaries read numbers and ids only: a document before or after hashing will do. */
type AnyProvisioning = Provisioning | HashedProvisioning;

/** What a new provisioning changes, by entity (`extension 1001`, `did 0312345678`); never values. */
export interface ProvisioningDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

// Only entity names are listed, never values, so a diff can be logged and audited without
// leaking a password. A changed password shows as a changed extension or account.
// No previous document (the first apply of a server): everything is added.
export function diffProvisioning(previous: AnyProvisioning | undefined, next: AnyProvisioning): ProvisioningDiff {
  const before = previous === undefined ? new Map<string, string>() : entities(previous);
  const after = entities(next);
  const diff: ProvisioningDiff = { added: [], removed: [], changed: [] };
  for (const [name, value] of after) {
    const old = before.get(name);
    if (old === undefined) diff.added.push(name);
    else if (old !== value) diff.changed.push(name);
  }
  for (const name of before.keys()) if (!after.has(name)) diff.removed.push(name);
  return diff;
}

/** A one-line count for logs: "3 extensions, 1 group, …". */
export function summarizeProvisioning(p: AnyProvisioning): string {
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  return [
    n(p.extensions.length, 'extension'),
    n(p.groups.length, 'group'),
    n(p.callCenters.length, 'call center'),
    n(p.ivrs.length, 'IVR'),
    n(p.dids.length, 'DID'),
    n(p.trunks.length, 'trunk'),
    n(p.accounts.length, 'account'),
    n(p.federation.peers.length, 'federation peer'),
  ].join(', ');
}

function entities(p: AnyProvisioning): Map<string, string> {
  const m = new Map<string, string>();
  // Canonical: a document read back from the store (jsonb reorders keys) equals the one written.
  const put = (name: string, value: unknown) => m.set(name, canonicalJson(value));
  put('server', p.server);
  for (const t of p.trunks) put(`trunk ${t.id}`, t);
  for (const e of p.extensions) put(`extension ${e.number}`, e);
  for (const g of p.groups) put(`group ${g.number}`, g);
  for (const c of p.callCenters) put(`call center ${c.number}`, c);
  for (const v of p.ivrs) put(`ivr ${v.number}`, v);
  for (const d of p.dids) put(`did ${d.number}`, d);
  for (const a of p.accounts) put(`account ${a.login}`, a);
  for (const peer of p.federation.peers) put(`peer ${peer.serverId}`, peer);
  return m;
}
