import { z } from 'zod';
import { isAuReservedNumber, isMobileExtensionNumber } from './number-plan';
import {
  carrierField,
  extensionKindField,
  extensionNumberField,
  externalNumberField,
  federationPrefixField,
  roleField,
  text,
} from './provisioning.schema';

/** One thing wrong with a provisioning file, located by its path (`extensions[3].number`). */
export interface ProvisioningError {
  path: string;
  message: string;
  /** The SPEC rule id the error enforces, when there is one (`M-12`). */
  rule?: string;
}

// Cross-reference rules of SPEC B-3 and friends. They read the raw document leniently —
// every field through its own schema, so a field that failed the schema is simply absent
// here and is not reported twice — and they use the raw strings for "does it exist", so one
// broken extension does not also make every group that names it fail.

type Fields = Record<string, z.ZodTypeAny>;
type Picked<F extends Fields> = { [K in keyof F]?: z.output<F[K]> };

function pick<F extends Fields>(raw: unknown, fields: F): Picked<F> {
  const out: Picked<F> = {};
  if (!isRecord(raw)) return out;
  for (const key of Object.keys(fields) as Array<keyof F & string>) {
    if (!(key in raw)) continue;
    const r = fields[key].safeParse(raw[key]);
    if (r.success) out[key] = r.data as z.output<F[typeof key]>;
  }
  return out;
}

function ruleOf(issue: z.ZodIssue): string | undefined {
  return issue.code === z.ZodIssueCode.custom ? (issue.params?.['rule'] as string | undefined) : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(raw: unknown): unknown[] {
  return Array.isArray(raw) ? raw : [];
}

function section(root: unknown, key: string): unknown[] {
  return isRecord(root) ? list(root[key]) : [];
}

/** For "does it exist": `1001` written without quotes still names extension 1001. */
const numberish = z.union([text, z.number().int().nonnegative().transform(String)]);
const stringList = z.array(z.unknown()).transform((xs) => xs.filter((x): x is string => typeof x === 'string'));
const looseSignIn = z.object({ type: z.enum(['extension', 'external']), number: text });

export function checkRules(root: unknown): ProvisioningError[] {
  const errors: ProvisioningError[] = [];
  const err = (path: string, message: string, rule?: string) => errors.push(rule === undefined ? { path, message } : { path, message, rule });

  const server = pick(isRecord(root) ? root['server'] : undefined, {
    id: text,
    federationPrefix: federationPrefixField,
    defaultNotificationNumber: externalNumberField,
    overLimitForward: text.nullable(),
  });
  const trunks = section(root, 'trunks').map((t) => pick(t, { id: text, dids: stringList }));
  const extensions = section(root, 'extensions').map((e) =>
    pick(e, { number: numberish, kind: extensionKindField, carrier: carrierField, mobileNumber: externalNumberField, notificationNumber: externalNumberField }),
  );
  const groups = section(root, 'groups').map((g) => pick(g, { number: numberish, members: stringList }));
  const centers = section(root, 'callCenters').map((c) => pick(c, { number: numberish, agents: stringList, notificationNumber: externalNumberField }));
  const ivrs = section(root, 'ivrs').map((i) => pick(i, { number: numberish }));
  const dids = section(root, 'dids').map((d) => pick(d, { number: text, target: text }));
  const accounts = section(root, 'accounts').map((a) => {
    const base = pick(a, { login: text, role: roleField });
    const grantsRaw = isRecord(a) ? a['grants'] : undefined;
    const agentRaw = isRecord(a) ? a['agent'] : undefined;
    return {
      ...base,
      hasGrants: grantsRaw !== undefined && grantsRaw !== null,
      grants: pick(grantsRaw, { callCenters: stringList, numbers: stringList }),
      hasAgent: isRecord(agentRaw),
      signIn: pick(agentRaw, { signIn: looseSignIn }).signIn,
    };
  });
  const peers = isRecord(root) && isRecord(root['federation']) ? list(root['federation']['peers']).map((p) => pick(p, { serverId: text, prefix: federationPrefixField })) : [];

  // An extension whose kind is unreadable gets no field checks from the schema (its shape
  // depends on the kind), so its number is checked here: nothing wrong goes unlisted.
  section(root, 'extensions').forEach((raw, i) => {
    if (extensions[i].kind !== undefined || !isRecord(raw)) return;
    const r = extensionNumberField.safeParse(raw['number']);
    if (!r.success) for (const issue of r.error.issues) err(`extensions[${i}].number`, raw['number'] === undefined ? 'is required' : issue.message, ruleOf(issue));
  });

  // --- unique numbers across extensions, groups, call centers and IVRs (SPEC N-1) ---
  const owners = new Map<string, string>(); // number → path of its first owner
  const claim = (number: string | undefined, path: string) => {
    if (number === undefined) return;
    const first = owners.get(number);
    if (first !== undefined) err(path, `"${number}" is already used by ${first}`, 'N-1');
    else owners.set(number, path.replace(/\.number$/, ''));
  };
  extensions.forEach((e, i) => claim(e.number, `extensions[${i}].number`));
  groups.forEach((g, i) => claim(g.number, `groups[${i}].number`));
  centers.forEach((c, i) => claim(c.number, `callCenters[${i}].number`));
  ivrs.forEach((v, i) => claim(v.number, `ivrs[${i}].number`));

  const phoneNumbers = new Set(extensions.flatMap((e) => (e.number !== undefined ? [e.number] : [])));
  const centerNumbers = new Set(centers.flatMap((c) => (c.number !== undefined ? [c.number] : [])));

  // --- mobiles (SPEC M-12, M-13) ---
  extensions.forEach((e, i) => {
    if (e.kind === 'mobile' && e.number !== undefined && extensionNumberField.safeParse(e.number).success && !isMobileExtensionNumber(e.number)) {
      err(`extensions[${i}].number`, `mobile extension "${e.number}" must be in 2000–3999`, 'M-12');
    }
  });
  const firstAu = extensions.findIndex((e) => e.kind === 'mobile' && e.carrier === 'au');
  if (firstAu >= 0) {
    extensions.forEach((e, i) => {
      if ((e.kind === 'softphone' || e.kind === 'hardphone') && e.number !== undefined && isAuReservedNumber(e.number)) {
        err(`extensions[${i}].number`, `"${e.number}" (110X/118X/119X) is not allowed for a ${e.kind} on a server with au mobiles (extensions[${firstAu}])`, 'M-13');
      }
    });
  }
  const mobileNumbers = new Map<string, number>();
  extensions.forEach((e, i) => {
    if (e.kind !== 'mobile' || e.mobileNumber === undefined) return;
    const first = mobileNumbers.get(e.mobileNumber);
    if (first !== undefined) err(`extensions[${i}].mobileNumber`, `"${e.mobileNumber}" is already the mobile number of extensions[${first}]`);
    else mobileNumbers.set(e.mobileNumber, i);
  });

  // --- trunks and their numbers ---
  const trunkIds = new Map<string, number>();
  const trunkDids = new Map<string, string>(); // number → path of the trunk that owns it
  trunks.forEach((t, i) => {
    if (t.id !== undefined) {
      if (trunkIds.has(t.id)) err(`trunks[${i}].id`, `trunk id "${t.id}" is already used by trunks[${trunkIds.get(t.id)}]`);
      else trunkIds.set(t.id, i);
    }
    (t.dids ?? []).forEach((n, j) => {
      const owner = trunkDids.get(n);
      if (owner !== undefined) err(`trunks[${i}].dids[${j}]`, `"${n}" already belongs to ${owner}`);
      else trunkDids.set(n, `trunks[${i}]`);
    });
  });
  const ownsNumber = (n: string) => trunkDids.has(n);

  // --- DIDs (ダイヤルイン) ---
  const didNumbers = new Map<string, number>();
  dids.forEach((d, i) => {
    if (d.number !== undefined) {
      if (didNumbers.has(d.number)) err(`dids[${i}].number`, `DID "${d.number}" is already routed by dids[${didNumbers.get(d.number)}]`);
      else didNumbers.set(d.number, i);
      if (!ownsNumber(d.number)) err(`dids[${i}].number`, `DID "${d.number}" is not in any trunk's dids`);
    }
    if (d.target !== undefined && !owners.has(d.target)) err(`dids[${i}].target`, `target "${d.target}" is not an extension, group, call center or IVR of this server`);
  });

  // --- notification numbers (通知番号) must be ours, or the carrier rejects the call (SPEC C-7) ---
  if (server.defaultNotificationNumber !== undefined && !ownsNumber(server.defaultNotificationNumber)) {
    err('server.defaultNotificationNumber', `"${server.defaultNotificationNumber}" is not in any trunk's dids`, 'C-7');
  }
  extensions.forEach((e, i) => {
    if (e.notificationNumber !== undefined && !ownsNumber(e.notificationNumber)) err(`extensions[${i}].notificationNumber`, `"${e.notificationNumber}" is not in any trunk's dids`, 'C-7');
  });
  centers.forEach((c, i) => {
    if (c.notificationNumber !== undefined && !ownsNumber(c.notificationNumber)) err(`callCenters[${i}].notificationNumber`, `"${c.notificationNumber}" is not in any trunk's dids`, 'D-5');
  });

  // --- over-limit forward (SPEC Q-5) ---
  if (typeof server.overLimitForward === 'string' && !owners.has(server.overLimitForward)) {
    err('server.overLimitForward', `"${server.overLimitForward}" is not an extension, group, call center or IVR of this server`, 'Q-5');
  }

  // --- groups: members are phones of this server ---
  groups.forEach((g, i) => {
    const seen = new Set<string>();
    (g.members ?? []).forEach((m, j) => {
      const path = `groups[${i}].members[${j}]`;
      if (seen.has(m)) err(path, `"${m}" is listed twice`);
      seen.add(m);
      if (!phoneNumbers.has(m)) err(path, owners.has(m) ? `"${m}" is not a phone (groups ring phones only)` : `"${m}" is not an extension of this server`);
    });
  });

  // --- accounts, agents, grants (SPEC A-1, §6) ---
  const logins = new Map<string, number>();
  accounts.forEach((a, i) => {
    if (a.login === undefined) return;
    if (logins.has(a.login)) err(`accounts[${i}].login`, `login "${a.login}" is already used by accounts[${logins.get(a.login)}]`);
    else logins.set(a.login, i);
  });
  centers.forEach((c, i) => {
    const seen = new Set<string>();
    (c.agents ?? []).forEach((login, j) => {
      const path = `callCenters[${i}].agents[${j}]`;
      if (seen.has(login)) err(path, `"${login}" is listed twice`);
      seen.add(login);
      const k = logins.get(login);
      if (k === undefined) err(path, `no account "${login}"`);
      else if (!accounts[k].hasAgent) err(path, `account "${login}" (accounts[${k}]) has no agent settings`);
    });
  });
  accounts.forEach((a, i) => {
    if (a.hasGrants && a.role !== undefined && a.role !== 'supervisor') err(`accounts[${i}].grants`, `grants apply to supervisors only, not to a ${a.role}`, 'A-1');
    (a.grants.callCenters ?? []).forEach((n, j) => {
      if (!centerNumbers.has(n)) err(`accounts[${i}].grants.callCenters[${j}]`, `"${n}" is not a call center of this server`, 'A-1');
    });
    (a.grants.numbers ?? []).forEach((n, j) => {
      if (!ownsNumber(n)) err(`accounts[${i}].grants.numbers[${j}]`, `"${n}" is not a number of this server (trunk dids)`, 'A-1');
    });
    const s = a.signIn;
    if (s?.type === 'extension' && extensionNumberField.safeParse(s.number).success && !phoneNumbers.has(s.number)) {
      err(`accounts[${i}].agent.signIn.number`, `sign-in extension "${s.number}" is not a phone of this server`, 'F-10');
    }
    if (s?.type === 'external' && ownsNumber(s.number)) {
      err(`accounts[${i}].agent.signIn.number`, `sign-in number "${s.number}" is one of this server's own numbers: the call would loop back in`, 'C-1');
    }
  });

  // --- federation (SPEC F-2) ---
  if (peers.length > 0 && isRecord(root) && isRecord(root['server']) && root['server']['federationPrefix'] === undefined) {
    err('server.federationPrefix', 'is required when federation peers are listed', 'F-2');
  }
  const prefixes = new Map<string, string>();
  if (server.federationPrefix !== undefined) prefixes.set(server.federationPrefix, 'server.federationPrefix');
  const serverIds = new Map<string, string>();
  if (server.id !== undefined) serverIds.set(server.id, 'server.id');
  peers.forEach((p, i) => {
    if (p.prefix !== undefined) {
      const first = prefixes.get(p.prefix);
      if (first !== undefined) err(`federation.peers[${i}].prefix`, `prefix "${p.prefix}" is already used by ${first}`, 'F-2');
      else prefixes.set(p.prefix, `federation.peers[${i}].prefix`);
    }
    if (p.serverId !== undefined) {
      const first = serverIds.get(p.serverId);
      if (first !== undefined) err(`federation.peers[${i}].serverId`, `server id "${p.serverId}" is already used by ${first}`, 'F-2');
      else serverIds.set(p.serverId, `federation.peers[${i}].serverId`);
    }
  });
  return errors;
}
