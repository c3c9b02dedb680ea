import type { CallCenter, Extension, FederationPeer, Group, Ivr, Provisioning, Trunk } from '@pbx/provisioning';

/** Anything a 4-digit local number can be (SPEC §0). */
export type LocalTarget =
  | { type: 'phone'; extension: Extension }
  | { type: 'group'; group: Group; members: Extension[] }
  | { type: 'call-center'; center: CallCenter }
  | { type: 'ivr'; ivr: Ivr };

/** Lookup tables of one provisioning; built once per provisioning object. */
export interface DialplanIndex {
  provisioning: Provisioning;
  local: Map<string, LocalTarget>;
  peers: Map<string, FederationPeer>;
  /** The peers in file order, to tell an incomplete `<prefix>…` (484, SPEC N-7) from an unknown one. */
  peerPrefixes: FederationPeer[];
  trunks: Map<string, Trunk>;
  /** DID → its target and the trunk that owns the number. */
  dids: Map<string, { target: string; trunkId: string }>;
  /** The trunk to leave through for a given presented number (its owner), or the first trunk. */
  trunkOfNumber: Map<string, string>;
  /** SPEC D-5: the external number tied to each call center. */
  centerNumber: Map<string, string>;
  parkSlots: number;
}

// The index is a cache keyed by the provisioning object: decideRoute stays a pure function of
// its arguments (SPEC N-8) while a route decision costs a few Map lookups. Provisioning is
// treated as immutable: a new file is a new object (the loader never mutates one in place).
const cache = new WeakMap<Provisioning, DialplanIndex>();

export function indexOf(p: Provisioning): DialplanIndex {
  let index = cache.get(p);
  if (index === undefined) {
    index = buildIndex(p);
    cache.set(p, index);
  }
  return index;
}

function buildIndex(p: Provisioning): DialplanIndex {
  const local = new Map<string, LocalTarget>();
  const phones = new Map<string, Extension>();
  for (const e of p.extensions) {
    phones.set(e.number, e);
    local.set(e.number, { type: 'phone', extension: e });
  }
  for (const g of p.groups) {
    const members = g.members.flatMap((m) => {
      const e = phones.get(m);
      return e ? [e] : [];
    });
    local.set(g.number, { type: 'group', group: g, members });
  }
  for (const c of p.callCenters) local.set(c.number, { type: 'call-center', center: c });
  for (const v of p.ivrs) local.set(v.number, { type: 'ivr', ivr: v });

  const trunks = new Map(p.trunks.map((t) => [t.id, t]));
  const trunkOfNumber = new Map<string, string>();
  for (const t of p.trunks) for (const n of t.dids) if (!trunkOfNumber.has(n)) trunkOfNumber.set(n, t.id);
  const dids = new Map<string, { target: string; trunkId: string }>();
  for (const d of p.dids) {
    const trunkId = trunkOfNumber.get(d.number);
    if (trunkId !== undefined) dids.set(d.number, { target: d.target, trunkId });
  }

  // SPEC D-5: the center's own notificationNumber, else the first DID that rings it, else the
  // server's default number.
  const centerNumber = new Map<string, string>();
  for (const c of p.callCenters) {
    const viaDid = p.dids.find((d) => d.target === c.number)?.number;
    centerNumber.set(c.number, c.notificationNumber ?? viaDid ?? p.server.defaultNotificationNumber);
  }

  const peers = new Map(p.federation.peers.map((peer) => [peer.prefix, peer]));
  return {
    provisioning: p,
    local,
    peers,
    peerPrefixes: p.federation.peers,
    trunks,
    dids,
    trunkOfNumber,
    centerNumber,
    parkSlots: p.server.parkSlots,
  };
}
