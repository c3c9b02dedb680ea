import { assertNever, Decider, DomainError } from '@pbx/domain-kernel';
import { LEG_EVENT_DATA_SCHEMAS, LegEvent, LegEventType } from './call-leg.events';
import type { CallLeg, CreateLeg, LegCommand, LegCommandType, LegErrorCode, LegStatus } from './call-leg.types';

// The call-leg aggregate (SPEC H-1): one SIP dialog, or one carrier/peer connection, of a call.
// Stream `leg-<legId>`. How it works and the table below in prose: docs/call-leg.md.

/**
 * What a command does in a state: `event` — it is a transition and emits its event; `quiet` —
 * a harmless repeat (a second 180, a retransmitted 200, EndLeg on an ended leg): no event;
 * `invalid` — impossible, LEG.INVALID_TRANSITION (LEG.NOT_FOUND before the leg exists).
 * This table is the leg's one transition point; `decide` consults nothing else for legality.
 */
export type LegTransition = 'event' | 'quiet' | 'invalid';

// prettier-ignore
export const LEG_TRANSITIONS: { readonly [S in LegStatus]: { readonly [C in LegCommandType]: LegTransition } } = {
  //                CreateLeg           MarkRinging           MarkEarlyMedia           AnswerLeg            HoldLeg              ResumeLeg            BridgeLegs           EndLeg
  none:          { CreateLeg: 'event', MarkRinging: 'invalid', MarkEarlyMedia: 'invalid', AnswerLeg: 'invalid', HoldLeg: 'invalid', ResumeLeg: 'invalid', BridgeLegs: 'invalid', EndLeg: 'invalid' },
  created:       { CreateLeg: 'quiet', MarkRinging: 'event',   MarkEarlyMedia: 'event',   AnswerLeg: 'event',   HoldLeg: 'invalid', ResumeLeg: 'invalid', BridgeLegs: 'invalid', EndLeg: 'event' },
  // A 180 after a 183 changes nothing: the leg keeps its early media.
  ringing:       { CreateLeg: 'quiet', MarkRinging: 'quiet',   MarkEarlyMedia: 'event',   AnswerLeg: 'event',   HoldLeg: 'invalid', ResumeLeg: 'invalid', BridgeLegs: 'invalid', EndLeg: 'event' },
  // Bridging early media lets the caller hear the callee side's ringback or announcement.
  'early-media': { CreateLeg: 'quiet', MarkRinging: 'quiet',   MarkEarlyMedia: 'quiet',   AnswerLeg: 'event',   HoldLeg: 'invalid', ResumeLeg: 'invalid', BridgeLegs: 'event',   EndLeg: 'event' },
  // A second 200 (retransmitted) and a resume of a leg that is not held are repeats, not errors.
  answered:      { CreateLeg: 'quiet', MarkRinging: 'invalid', MarkEarlyMedia: 'invalid', AnswerLeg: 'quiet',   HoldLeg: 'event',   ResumeLeg: 'quiet',   BridgeLegs: 'event',   EndLeg: 'event' },
  // A held leg is resumed before it is bridged elsewhere (the service resumes, then bridges).
  held:          { CreateLeg: 'quiet', MarkRinging: 'invalid', MarkEarlyMedia: 'invalid', AnswerLeg: 'quiet',   HoldLeg: 'quiet',   ResumeLeg: 'event',   BridgeLegs: 'invalid', EndLeg: 'event' },
  ended:         { CreateLeg: 'quiet', MarkRinging: 'invalid', MarkEarlyMedia: 'invalid', AnswerLeg: 'invalid', HoldLeg: 'invalid', ResumeLeg: 'invalid', BridgeLegs: 'invalid', EndLeg: 'quiet' },
};

export const initialCallLeg = (): CallLeg => ({ status: 'none', created: null, bridgedWith: null });

function legError(code: LegErrorCode, message: string, details: Record<string, unknown>): DomainError {
  return new DomainError(code, message, details);
}

/** Builds an event and checks its data against the V1 schema: what would not validate on read is never written. */
type EventOf<T extends LegEventType> = Extract<LegEvent, { type: T }>;

function emit<T extends LegEventType>(type: T, data: EventOf<T>['data']): EventOf<T> {
  const parsed = LEG_EVENT_DATA_SCHEMAS[type].safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`);
    throw legError('LEG.INVALID_COMMAND', `${type} would be invalid: ${issues.join('; ')}`, { event: type, issues });
  }
  // `data` was typed for `type` by the signature; TypeScript cannot narrow the pair by itself.
  return { type, data } as EventOf<T>;
}

function sameCreation(cmd: CreateLeg, s: CallLeg): boolean {
  const c = s.created;
  if (c === null) return false;
  const f = cmd.farEnd;
  return (
    c.callId === cmd.callId &&
    c.requestId === cmd.requestId &&
    c.direction === cmd.direction &&
    c.side === cmd.side &&
    c.presentedCaller === cmd.presentedCaller &&
    c.callee === cmd.callee &&
    c.farEnd.kind === f.kind &&
    c.farEnd.number === f.number &&
    c.farEnd.trunkId === f.trunkId &&
    c.farEnd.did === f.did
  );
}

export function decideLeg(cmd: LegCommand, s: CallLeg): LegEvent[] {
  if (s.created !== null && s.created.legId !== cmd.legId) {
    throw legError('LEG.INVALID_COMMAND', `${cmd.type} for leg ${cmd.legId} reached the stream of leg ${s.created.legId}`, { legId: cmd.legId, streamLegId: s.created.legId });
  }
  const transition = LEG_TRANSITIONS[s.status][cmd.type];
  const details = { legId: cmd.legId, state: s.status, command: cmd.type };
  if (transition === 'invalid') {
    if (s.status === 'none') throw legError('LEG.NOT_FOUND', `leg ${cmd.legId} does not exist: cannot ${cmd.type}`, details);
    throw legError('LEG.INVALID_TRANSITION', `leg ${cmd.legId} is ${s.status}: cannot ${cmd.type}`, details);
  }
  if (transition === 'quiet') {
    // A CreateLeg retry is quiet only with the same facts; different facts are a second leg under one id.
    if (cmd.type === 'CreateLeg' && !sameCreation(cmd, s)) {
      throw legError('LEG.ALREADY_EXISTS', `leg ${cmd.legId} already exists (${s.status}) with other facts: cannot CreateLeg`, details);
    }
    return [];
  }
  // Past this point the leg exists unless the command is CreateLeg.
  const callId = s.created?.callId ?? '';
  const ref = { legId: cmd.legId, callId, at: cmd.at };
  switch (cmd.type) {
    case 'CreateLeg':
      return [
        emit('LegCreated', {
          legId: cmd.legId,
          callId: cmd.callId,
          at: cmd.at,
          requestId: cmd.requestId,
          direction: cmd.direction,
          side: cmd.side,
          farEnd: { ...cmd.farEnd },
          presentedCaller: cmd.presentedCaller,
          callee: cmd.callee,
        }),
      ];
    case 'MarkRinging':
      return [emit('LegRinging', ref)];
    case 'MarkEarlyMedia':
      return [emit('LegEarlyMediaStarted', ref)];
    case 'AnswerLeg':
      return [emit('LegAnswered', ref)];
    case 'HoldLeg':
      return [emit('LegHeld', ref)];
    case 'ResumeLeg':
      return [emit('LegResumed', ref)];
    case 'BridgeLegs':
      if (cmd.otherLegId === cmd.legId) throw legError('LEG.INVALID_COMMAND', `leg ${cmd.legId} cannot be bridged with itself`, details);
      if (s.bridgedWith === cmd.otherLegId) return []; // already bridged with that leg: a retry
      return [emit('LegBridged', { ...ref, otherLegId: cmd.otherLegId })];
    case 'EndLeg':
      return [emit('LegEnded', { ...ref, cause: cmd.cause, sipStatus: cmd.sipStatus, hungUpBy: cmd.hungUpBy })];
    default:
      return assertNever(cmd, 'call-leg command');
  }
}

/** Applies a stored event. Total: the store holds only what `decideLeg` emitted, so nothing is re-judged here. */
export function evolveLeg(s: CallLeg, e: LegEvent): CallLeg {
  switch (e.type) {
    case 'LegCreated':
      return { status: 'created', created: e.data, bridgedWith: null };
    case 'LegRinging':
      return { ...s, status: 'ringing' };
    case 'LegEarlyMediaStarted':
      return { ...s, status: 'early-media' };
    case 'LegAnswered':
      return { ...s, status: 'answered' };
    case 'LegHeld':
      return { ...s, status: 'held' };
    case 'LegResumed':
      return { ...s, status: 'answered' };
    case 'LegBridged':
      return { ...s, bridgedWith: e.data.otherLegId };
    case 'LegEnded':
      return { ...s, status: 'ended', bridgedWith: null };
    default:
      return assertNever(e, 'call-leg event');
  }
}

export const callLegDecider: Decider<LegCommand, LegEvent, CallLeg> = {
  decide: decideLeg,
  evolve: evolveLeg,
  initialState: initialCallLeg,
};
