import { assertNever, DomainError } from '@pbx/domain-kernel';
import type { EndCause, FarEnd, HungUpBy, LegCreatedData, LegEvent } from './call-leg.events';

// The call-log row (発着信履歴, SPEC H-2): one row per call, seen from its originating leg (the
// a-leg), built from the events of the call's legs alone. Column rules: docs/call-leg.md.
//
// Idempotent and order-free (SPEC H-3): the state keeps, per leg, facts that are set once and
// merged by "earliest instant wins" (ties broken by value), so applying an event twice, or the
// events of different legs in any interleaving, gives the same state. The row is a pure function
// of that state. The state is plain JSON, so the projector may store it beside the row.

export type CallDirection = 'incoming' | 'outgoing' | 'internal';

export type CallResult = 'answered' | 'no-answer' | 'busy' | 'cancelled' | 'failed' | 'rejected-over-channel-limit';

export interface CallLogRow {
  readonly callId: string;
  /** The call's request id (its unique id in the product; SPEC K-1). */
  readonly requestId: string;
  /** The originating leg the row is seen from. */
  readonly originLegId: string;
  readonly startedAt: string;
  /** When the callee side answered; null if nobody did. */
  readonly answeredAt: string | null;
  /** When the last leg of the call ended; null while any known leg lives. */
  readonly endedAt: string | null;
  /** Whole seconds from answeredAt to endedAt, rounded up; 0 if never answered or not ended. */
  readonly durationSeconds: number;
  readonly direction: CallDirection;
  /** Federation counts as internal (SPEC F-4); this flag says a peer server took part. */
  readonly federation: boolean;
  readonly presentedCaller: string;
  readonly callee: string;
  /** The number that answered (the winning b-leg's far end, or the called number when the PBX answered itself). */
  readonly answeredBy: string | null;
  /** The leg that answered; null when the PBX answered the originating leg itself (IVR, queue). */
  readonly answeredByLegId: string | null;
  /** null while the call is in progress. */
  readonly result: CallResult | null;
  readonly trunkId: string | null;
  readonly did: string | null;
}

interface EndFacts {
  readonly at: string;
  readonly cause: EndCause;
  readonly sipStatus: number | null;
  readonly hungUpBy: HungUpBy;
}

/** What the call log needs to know about one leg. */
export interface LegFacts {
  readonly legId: string;
  /** null until the leg's LegCreated is seen. */
  readonly created: LegCreatedData | null;
  readonly answeredAt: string | null;
  readonly ended: EndFacts | null;
  /** Every leg this leg was ever bridged with, sorted. */
  readonly bridgedWith: readonly string[];
}

export interface CallLogState {
  /** null before the first event. */
  readonly callId: string | null;
  readonly legs: Readonly<Record<string, LegFacts>>;
}

export const initialCallLogState = (): CallLogState => ({ callId: null, legs: {} });

const EXTERNAL_KINDS: ReadonlySet<FarEnd['kind']> = new Set(['trunk', 'external']);
const isExternal = (l: LegFacts): boolean => l.created !== null && EXTERNAL_KINDS.has(l.created.farEnd.kind);

const stable = (v: unknown): string => JSON.stringify(v);

/** The earlier of two facts: by instant, then by value, so the merge is commutative. */
function earliest<T extends { readonly at: string }>(a: T | null, b: T): T {
  if (a === null) return b;
  const d = Date.parse(a.at) - Date.parse(b.at);
  if (d !== 0) return d < 0 ? a : b;
  return stable(a) <= stable(b) ? a : b;
}

const earliestInstant = (a: string | null, b: string): string => (a === null ? b : earliest({ at: a }, { at: b }).at);

const emptyLeg = (legId: string): LegFacts => ({ legId, created: null, answeredAt: null, ended: null, bridgedWith: [] });

function addSorted(list: readonly string[], id: string): readonly string[] {
  return list.includes(id) ? list : [...list, id].sort();
}

/** Applies one event of one of the call's legs. Foreign calls are a routing bug of the caller: thrown. */
export function evolveCallLog(state: CallLogState, event: LegEvent): CallLogState {
  const { legId, callId } = event.data;
  if (state.callId !== null && state.callId !== callId) {
    throw new DomainError('CALL_LOG.FOREIGN_EVENT', `${event.type} of call ${callId} applied to the row of call ${state.callId}`, { legId, callId, rowCallId: state.callId });
  }
  const leg = state.legs[legId] ?? emptyLeg(legId);
  const next = ((): LegFacts => {
    switch (event.type) {
      case 'LegCreated':
        return { ...leg, created: earliest(leg.created, event.data) };
      case 'LegAnswered':
        return { ...leg, answeredAt: earliestInstant(leg.answeredAt, event.data.at) };
      case 'LegBridged':
        return { ...leg, bridgedWith: addSorted(leg.bridgedWith, event.data.otherLegId) };
      case 'LegEnded': {
        const { at, cause, sipStatus, hungUpBy } = event.data;
        return { ...leg, ended: earliest(leg.ended, { at, cause, sipStatus, hungUpBy }) };
      }
      // Ringing, early media and hold say nothing the call log shows (hold time is the call-center log's, SPEC M-8, P-2).
      case 'LegRinging':
      case 'LegEarlyMediaStarted':
      case 'LegHeld':
      case 'LegResumed':
        return leg;
      default:
        return assertNever(event, 'call-leg event');
    }
  })();
  if (next === leg && state.legs[legId] !== undefined && state.callId !== null) return state;
  return { callId, legs: { ...state.legs, [legId]: next } };
}

type Known = LegFacts & { readonly created: LegCreatedData };

const byCreation = (a: Known, b: Known): number => Date.parse(a.created.at) - Date.parse(b.created.at) || (a.legId < b.legId ? -1 : a.legId > b.legId ? 1 : 0);

const byAnswer = (a: LegFacts & { answeredAt: string }, b: LegFacts & { answeredAt: string }): number =>
  Date.parse(a.answeredAt) - Date.parse(b.answeredAt) || (a.legId < b.legId ? -1 : a.legId > b.legId ? 1 : 0);

/** The result of a call nobody answered, from the originating leg's end (SPEC H-2; mapping in docs/call-leg.md). */
export function unansweredResult(end: EndFacts): Exclude<CallResult, 'answered'> {
  const busyStatus = end.sipStatus === 486 || end.sipStatus === 600 || end.sipStatus === 603;
  const noAnswerStatus = end.sipStatus === 480 || end.sipStatus === 408;
  switch (end.cause) {
    case 'busy':
      return 'busy';
    case 'no-answer':
      return 'no-answer';
    case 'cancelled':
      return 'cancelled';
    case 'over-channel-limit':
      return 'rejected-over-channel-limit';
    case 'rejected': // 603 Decline / 600 is the callee saying no: shown as busy, anything else failed
      return busyStatus ? 'busy' : 'failed';
    case 'failed':
      return busyStatus ? 'busy' : noAnswerStatus ? 'no-answer' : end.sipStatus === 487 ? 'cancelled' : 'failed';
    case 'normal': // a BYE-less end before any answer: the caller gave up, or something broke
      return end.hungUpBy === 'caller' ? 'cancelled' : 'failed';
    case 'drain':
      return 'failed';
    default:
      return assertNever(end.cause, 'end cause');
  }
}

/** The row of the call; null until the originating leg's LegCreated is seen. */
export function callLogRow(state: CallLogState): CallLogRow | null {
  const known = Object.values(state.legs)
    .filter((l): l is Known => l.created !== null)
    .sort(byCreation);
  // The originating leg: the a-leg (the earliest one, should a call ever hold two).
  const origin = known.find((l) => l.created.side === 'a-leg');
  if (origin === undefined) return null;
  const o = origin.created;
  const others = known.filter((l) => l !== origin);

  // Who answers for the caller: the a-leg itself when the PBX called out on it (a callback's
  // leg, SPEC C-3), else the b-legs the PBX rang.
  const calleeSide = o.direction === 'outbound' ? [origin] : others;
  const answeredLegs = calleeSide.filter((l): l is Known & { answeredAt: string } => l.answeredAt !== null).sort(byAnswer);
  // Several answered (a ring-all race): the one bridged with the originating leg won; the others were hung up.
  const bridgedToOrigin = (l: LegFacts) => l.bridgedWith.includes(origin.legId) || origin.bridgedWith.includes(l.legId);
  const winner = answeredLegs.find(bridgedToOrigin) ?? answeredLegs[0];
  // Nobody on the callee side answered but the PBX answered the caller itself (IVR, queue).
  const pbxAnswered = winner === undefined && o.direction === 'inbound' && origin.answeredAt !== null;
  const answeredAt = winner?.answeredAt ?? (pbxAnswered ? origin.answeredAt : null);
  const answeredBy = winner !== undefined ? winner.created.farEnd.number : pbxAnswered ? o.callee : null;

  // The call ends when every leg it is known to have has ended (SPEC §0 "call").
  const allEnded = known.every((l) => l.ended !== null);
  const endedAt = allEnded ? known.map((l) => (l.ended as EndFacts).at).reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b)) : null;
  const durationSeconds = answeredAt !== null && endedAt !== null ? Math.max(0, Math.ceil((Date.parse(endedAt) - Date.parse(answeredAt)) / 1000)) : 0;
  const result: CallResult | null = endedAt === null || origin.ended === null ? null : answeredAt !== null ? 'answered' : unansweredResult(origin.ended);

  // SPEC F-4: any peer leg makes it a federated call, logged as internal unless a carrier is in it.
  const federation = known.some((l) => l.created.farEnd.kind === 'peer');
  const externalOrigin = isExternal(origin);
  const externalOthers = others.filter(isExternal);
  const direction: CallDirection = externalOrigin ? (o.direction === 'inbound' ? 'incoming' : 'outgoing') : externalOthers.length > 0 ? 'outgoing' : 'internal';

  // The carrier side of the call: the originating leg's trunk, or the trunk the call left through
  // (the answering leg's, else the first external leg's).
  const carrierLeg = externalOrigin ? origin : winner !== undefined && isExternal(winner) ? winner : externalOthers[0];
  const trunkId = carrierLeg?.created.farEnd.trunkId ?? null;
  const did = externalOrigin ? (o.farEnd.did ?? null) : null;

  return {
    callId: o.callId,
    requestId: o.requestId,
    originLegId: origin.legId,
    startedAt: o.at,
    answeredAt,
    endedAt,
    durationSeconds,
    direction,
    federation,
    presentedCaller: o.presentedCaller,
    callee: o.callee,
    answeredBy,
    answeredByLegId: winner?.legId ?? null,
    result,
    trunkId,
    did,
  };
}

/** Folds the events of one call's legs (any order, repeats allowed) into its call-log row. */
export function projectCallLog(events: readonly LegEvent[]): CallLogRow | null {
  return callLogRow(events.reduce(evolveCallLog, initialCallLogState()));
}

/**
 * The instant the call's retention is measured from (SPEC K-5): the row's startedAt once the
 * originating leg is known, else the earliest instant any of its known facts carries (a call
 * whose a-leg has not been seen yet still ages). null for the initial state.
 */
export function callLogStartedAt(state: CallLogState): string | null {
  const row = callLogRow(state);
  if (row !== null) return row.startedAt;
  let first: string | null = null;
  for (const leg of Object.values(state.legs)) {
    for (const at of [leg.created?.at, leg.answeredAt, leg.ended?.at]) {
      if (at !== undefined && at !== null && (first === null || Date.parse(at) < Date.parse(first))) first = at;
    }
  }
  return first;
}
