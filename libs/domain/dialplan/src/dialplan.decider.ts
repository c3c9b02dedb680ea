import { assertNever } from '@pbx/domain-kernel';
import {
  EXTERNAL_MAX_LENGTH,
  EXTERNAL_MIN_LENGTH,
  isExtensionNumber,
  isThousandRange,
  PARK_CODE,
  type Extension,
  type FederationPeer,
  type Provisioning,
} from '@pbx/provisioning';
import { DialplanIndex, indexOf, LocalTarget } from './dialplan.index';
import {
  CallerEndpoint,
  DIALPLAN_REJECTIONS,
  DialContext,
  DialplanRejectCode,
  MAX_DIAL_LENGTH,
  Rejected,
  RingTarget,
  RouteDecision,
} from './dialplan.types';
import { isDigits, normalizeCallerNumber, presentTo, presentToMobile } from './presentation';

const NEW_CALL: DialContext = Object.freeze({});

/**
 * Where a dialed string goes and what the callee sees — SPEC §1 (N-1..N-7) and §2 (D-1..D-5).
 *
 * A pure function of its arguments (SPEC N-8): no clock, no I/O, no state but a cache of
 * lookup tables per provisioning object. It never throws for any string (N-7): malformed,
 * incomplete and unknown input all come back as `{ kind: 'rejected', status, code }`.
 */
export function decideRoute(dialed: string, caller: CallerEndpoint, provisioning: Provisioning, context?: DialContext): RouteDecision {
  const ctx = context ?? NEW_CALL;
  if (typeof dialed !== 'string') return reject('DIALPLAN.INVALID_CHARACTERS', 'the dial string is not text');
  if (dialed.length > MAX_DIAL_LENGTH) return reject('DIALPLAN.TOO_LONG', `longer than ${MAX_DIAL_LENGTH} characters`);
  const index = indexOf(provisioning);
  switch (caller?.kind) {
    case 'extension':
      return fromExtension(dialed, caller.extension, index, ctx);
    case 'trunk':
      return fromTrunk(dialed, caller.trunkId, caller.callerNumber, index, ctx);
    case 'peer':
      return fromPeer(dialed, caller.prefix, caller.extension, index, ctx);
    default:
      return reject('DIALPLAN.UNKNOWN_CALLER', 'unknown kind of caller');
  }
}

// ---------------------------------------------------------------------------------------
// Callers
// ---------------------------------------------------------------------------------------

function fromExtension(dialed: string, callerExtension: string, index: DialplanIndex, context: DialContext): RouteDecision {
  const self = index.local.get(callerExtension);
  if (self?.type !== 'phone') return reject('DIALPLAN.UNKNOWN_CALLER', `${String(callerExtension)} is not a phone of this server`);
  const me = self.extension;

  const clean = cleanDialString(dialed);
  if (typeof clean !== 'string') return clean;
  let digits = clean;
  if (me.kind === 'mobile' && context.midCall !== true) {
    // SPEC N-6 / M-1: from a mobile, a leading 8 means "through this PBX" and is stripped.
    if (digits[0] !== '8') return reject('DIALPLAN.MOBILE_ESCAPE_MISSING', 'a mobile dials 8 + number to call through the PBX (M-1)');
    digits = digits.slice(1);
    if (digits.length === 0) return reject('DIALPLAN.INCOMPLETE', '8 alone: the number is missing');
  }

  const server = index.provisioning.server;
  const base = context.presentedCaller !== undefined ? normalizeCallerNumber(context.presentedCaller) : me.number; // D-1 (or F-7 pass-through)
  // SPEC M-13: an au mobile cannot call the 1000 range. Mid-call digits are DTMF inside an
  // established call, not a number the carrier routes, so transfers are not barred.
  const auBarred = me.kind === 'mobile' && me.carrier === 'au' && context.midCall !== true;

  const c = classify(digits, index, context.midCall === true);
  switch (c.kind) {
    case 'rejected':
      return c;
    case 'local':
      if (auBarred && isThousandRange(c.number)) return reject('DIALPLAN.AU_BARRED', `an au mobile cannot call ${c.number} (1000 range, M-13)`);
      return routeToLocal(c.target, base, index, undefined);
    case 'external': {
      // SPEC N-2 / C-7 / M-2: the extension's own notification number, else the server default.
      const presentedNumber = me.notificationNumber ?? server.defaultNotificationNumber;
      const trunkId = index.trunkOfNumber.get(presentedNumber) ?? index.provisioning.trunks[0]?.id;
      if (trunkId === undefined) return reject('DIALPLAN.NO_TRUNK', 'no trunk to place an external call');
      return { kind: 'external', number: c.number, trunkId, presentedNumber, callerNumber: me.number, channel: 'external' };
    }
    case 'pickup':
      return { kind: 'pickup', extension: c.extension }; // SPEC N-3 / M-10
    case 'park':
      return { kind: 'park', firstSlot: '701', lastSlot: String(700 + index.parkSlots) }; // SPEC N-4 / M-9
    case 'park-retrieve':
      return { kind: 'park-retrieve', slot: c.slot }; // SPEC N-4
    case 'federation': {
      if (auBarred && isThousandRange(c.extension)) return reject('DIALPLAN.AU_BARRED', `an au mobile cannot call ${c.extension} (1000 range, M-13)`);
      // SPEC D-2 / F-4: the peer sees <our prefix><extension>; F-7: a passed-through number stays as is.
      const presentation = context.presentedCaller !== undefined ? base : (server.federationPrefix ?? '') + me.number;
      return { kind: 'federation', prefix: c.peer.prefix, serverId: c.peer.serverId, extension: c.extension, presentation, channel: 'external' };
    }
    default:
      return assertNever(c, 'dial class');
  }
}

function fromTrunk(dialed: string, trunkId: string, callerNumber: string | undefined, index: DialplanIndex, context: DialContext): RouteDecision {
  const trunk = index.trunks.get(trunkId);
  if (trunk === undefined) return reject('DIALPLAN.UNKNOWN_CALLER', `${String(trunkId)} is not a trunk of this server`);
  // Carriers may send the called number in E.164; DIDs are provisioned in national format.
  const number = dialed.startsWith('+81') ? '0' + dialed.slice(3) : dialed;
  const bad = checkCharacters(number);
  if (bad !== undefined) return bad;
  if (number.length === 0) return reject('DIALPLAN.INCOMPLETE', 'no called number');
  const did = index.dids.get(number);
  if (did === undefined || did.trunkId !== trunk.id) return reject('DIALPLAN.UNKNOWN_DID', `${number} is not a DID of trunk ${trunk.id}`);
  const target = index.local.get(did.target);
  if (target === undefined) return reject('DIALPLAN.UNKNOWN_NUMBER', `DID ${number} points to ${did.target}, which does not exist`);
  const base = normalizeCallerNumber(context.presentedCaller ?? callerNumber);
  return routeToLocal(target, base, index, number);
}

function fromPeer(dialed: string, prefix: string, extension: string, index: DialplanIndex, context: DialContext): RouteDecision {
  const peer = index.peers.get(prefix);
  if (peer === undefined || typeof extension !== 'string' || !isExtensionNumber(extension)) {
    return reject('DIALPLAN.UNKNOWN_CALLER', `no linked server with prefix ${String(prefix)} and extension ${String(extension)}`);
  }
  const digits = cleanDialString(dialed);
  if (typeof digits !== 'string') return digits;
  const c = classify(digits, index, false);
  if (c.kind === 'rejected') return c;
  // F-3: peers reach our extensions (phones, groups, centers, IVRs — F-5) and nothing else:
  // no transit to the carrier or to a third server, no pickup or park across servers.
  if (c.kind !== 'local') return reject('DIALPLAN.CALLER_NOT_ALLOWED', `a linked server can only call extensions here, not ${c.kind}`);
  const base = context.presentedCaller !== undefined ? normalizeCallerNumber(context.presentedCaller) : peer.prefix + extension; // D-2 / F-7
  return routeToLocal(c.target, base, index, undefined);
}

// ---------------------------------------------------------------------------------------
// Local targets and presentation (SPEC §2)
// ---------------------------------------------------------------------------------------

function routeToLocal(target: LocalTarget, base: string, index: DialplanIndex, did: string | undefined): RouteDecision {
  // Objects are built whole, with every key present, rather than spread: one hidden class per
  // route kind keeps the decider in the millions per second (bench/dialplan.bench.ts).
  const show = index.provisioning.server.mobileShowCallerNumber;
  switch (target.type) {
    case 'phone': {
      const e = target.extension;
      const mobile = e.kind === 'mobile';
      return {
        kind: 'extension',
        number: e.number,
        endpointKind: e.kind,
        carrier: mobile ? e.carrier : undefined,
        presentation: presentTo(e, base, undefined, show),
        channel: mobile ? 'mobile' : 'none', // SPEC Q-2
        callerNumber: base,
        did,
      };
    }
    case 'group': {
      const g = target.group;
      const members: RingTarget[] = new Array<RingTarget>(target.members.length);
      for (let i = 0; i < members.length; i++) members[i] = ring(target.members[i], base, g.number, show);
      return { kind: 'group', number: g.number, name: g.name, members, callerNumber: base, did };
    }
    case 'call-center': {
      const c = target.center;
      // SPEC D-5 / P-6: the center's own number; the DID the customer dialed when it rings this center.
      const external =
        c.notificationNumber ?? (did !== undefined && index.dids.get(did)?.target === c.number ? did : index.centerNumber.get(c.number) ?? index.provisioning.server.defaultNotificationNumber);
      return {
        kind: 'call-center',
        number: c.number,
        name: c.name,
        timeoutSeconds: c.timeoutSeconds,
        wrapUpSeconds: c.wrapUpSeconds,
        presentation: {
          phone: base,
          mobile: presentToMobile('docomo', base, c.number, show),
          auMobile: presentToMobile('au', base, c.number, show),
          external,
        },
        callerNumber: base,
        did,
      };
    }
    case 'ivr':
      return { kind: 'ivr', number: target.ivr.number, name: target.ivr.name, callerNumber: base, did };
    default:
      return assertNever(target, 'local target');
  }
}

function ring(e: Extension, base: string, via: string | undefined, show: boolean): RingTarget {
  const mobile = e.kind === 'mobile';
  return {
    number: e.number,
    endpointKind: e.kind,
    carrier: mobile ? e.carrier : undefined,
    presentation: presentTo(e, base, via, show),
    channel: mobile ? 'mobile' : 'none', // SPEC Q-2
  };
}

// ---------------------------------------------------------------------------------------
// Dial strings (SPEC N-1..N-7)
// ---------------------------------------------------------------------------------------

type Classified =
  | Rejected
  | { kind: 'local'; number: string; target: LocalTarget }
  | { kind: 'external'; number: string }
  | { kind: 'pickup'; extension: string }
  | { kind: 'park' }
  | { kind: 'park-retrieve'; slot: string }
  | { kind: 'federation'; peer: FederationPeer; extension: string };

/**
 * Classes by first digit and length; en-bloc dialing makes every class unambiguous:
 *   0…            10–20 digits  external (N-2)
 *   7NN           3 digits      park 700 / retrieve 701..7NN (N-4)
 *   9XXXX         5 digits      directed pickup (N-3)
 *   XXXX          4 digits      extension, group, call center, IVR (N-1)
 *   P XXXX        5–6 digits    federation: prefix = all but the last 4 digits (N-5, F-2)
 * A proper beginning of any of these is incomplete (484), anything else unknown (404).
 */
function classify(s: string, index: DialplanIndex, midCall: boolean): Classified {
  const n = s.length;
  const first = s[0];
  if (first === '0') {
    if (n < EXTERNAL_MIN_LENGTH) return reject('DIALPLAN.INCOMPLETE', `external numbers have at least ${EXTERNAL_MIN_LENGTH} digits`);
    if (n > EXTERNAL_MAX_LENGTH) return reject('DIALPLAN.UNKNOWN_NUMBER', `external numbers have at most ${EXTERNAL_MAX_LENGTH} digits`);
    return { kind: 'external', number: s };
  }
  if (first === '7' && n <= 3) {
    if (n < 3) return reject('DIALPLAN.INCOMPLETE', 'park codes have 3 digits');
    if (s === PARK_CODE) {
      if (!midCall) return reject('DIALPLAN.PARK_NEEDS_CALL', '700 parks the current call (#700 during a call)');
      if (index.parkSlots === 0) return reject('DIALPLAN.PARK_DISABLED', 'this server has no park slots');
      return { kind: 'park' };
    }
    const slot = Number(s.slice(1));
    if (slot >= 1 && slot <= index.parkSlots) return { kind: 'park-retrieve', slot: s };
    return reject('DIALPLAN.UNKNOWN_NUMBER', `${s} is not a park slot (701–${700 + index.parkSlots})`);
  }
  if (first === '9' && n <= 5) {
    if (n < 5) return reject('DIALPLAN.INCOMPLETE', 'pickup is 9 + a 4-digit extension');
    const ext = s.slice(1);
    const t = index.local.get(ext);
    if (t === undefined) return reject('DIALPLAN.UNKNOWN_NUMBER', `no extension ${ext} to pick up`);
    if (t.type !== 'phone') return reject('DIALPLAN.NOT_PICKABLE', `${ext} is a ${t.type}, not a phone`);
    return { kind: 'pickup', extension: ext };
  }
  if (n === 4 && isExtensionNumber(s)) return local(s, index);
  if (n === 5 || n === 6) {
    const prefix = s.slice(0, n - 4);
    const ext = s.slice(n - 4);
    if (prefix === index.provisioning.server.federationPrefix) {
      // SPEC N-5: our own prefix + extension is a local call.
      return isExtensionNumber(ext) ? local(ext, index) : reject('DIALPLAN.UNKNOWN_NUMBER', `${ext} is not an extension`);
    }
    const peer = index.peers.get(prefix);
    if (peer !== undefined) {
      return isExtensionNumber(ext) ? { kind: 'federation', peer, extension: ext } : reject('DIALPLAN.UNKNOWN_NUMBER', `${ext} is not an extension`);
    }
  }
  if (n < 6 && isProperBeginning(s, index)) return reject('DIALPLAN.INCOMPLETE', `${s} is the beginning of a longer number`);
  if (n === 5 || n === 6) return reject('DIALPLAN.UNKNOWN_PREFIX', `no linked server has prefix ${s.slice(0, n - 4)}`);
  return reject('DIALPLAN.UNKNOWN_NUMBER', `${s} matches no number of the plan`);
}

function local(number: string, index: DialplanIndex): Classified {
  const target = index.local.get(number);
  return target === undefined ? reject('DIALPLAN.UNKNOWN_NUMBER', `no extension ${number}`) : { kind: 'local', number, target };
}

/** Is `s` a proper beginning of a 4-digit extension or of `<prefix><extension>`? */
function isProperBeginning(s: string, index: DialplanIndex): boolean {
  if (s.length < 4 && isOneToSix(s, 0)) return true;
  const own = index.provisioning.server.federationPrefix;
  if (own !== undefined && beginsPrefixed(s, own)) return true;
  for (const peer of index.peerPrefixes) if (beginsPrefixed(s, peer.prefix)) return true;
  return false;
}

function beginsPrefixed(s: string, prefix: string): boolean {
  if (s.length >= prefix.length + 4) return false;
  if (s.length <= prefix.length) return prefix.startsWith(s);
  return s.startsWith(prefix) && isOneToSix(s, prefix.length);
}

function isOneToSix(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x31 && c <= 0x36;
}

/**
 * SPEC N-7: only `0-9*#`. A single trailing `#` is the "dial now" key of phones (and of M-6
 * digit collection) and is dropped. `*` and `#` anywhere else are mid-call codes, never part
 * of a number: well-formed characters, unknown number (404).
 */
function cleanDialString(dialed: string): string | Rejected {
  const bad = checkCharacters(dialed);
  if (bad !== undefined) return bad;
  const s = dialed.endsWith('#') ? dialed.slice(0, -1) : dialed;
  if (s.length === 0) return reject('DIALPLAN.INCOMPLETE', 'nothing dialed');
  if (!isDigits(s)) return reject('DIALPLAN.UNKNOWN_NUMBER', `${s}: * and # are mid-call codes, not part of a number`);
  return s;
}

function checkCharacters(s: string): Rejected | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x30 || c > 0x39) && c !== 0x2a && c !== 0x23) {
      return reject('DIALPLAN.INVALID_CHARACTERS', `character ${JSON.stringify(s[i])} at ${i}: dial strings hold only 0-9 * #`);
    }
  }
  return undefined;
}

function reject(code: DialplanRejectCode, reason: string): Rejected {
  return { kind: 'rejected', status: DIALPLAN_REJECTIONS[code], code, reason };
}
