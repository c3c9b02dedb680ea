import type { EndCause, FarEnd, HungUpBy, LegCreatedData, LegDirection, LegSide } from './call-leg.events';

// Commands of the call-leg aggregate. Time (`at`, ISO-8601) and ids arrive in the command
// (STYLE.md): the decider reads no clock and makes no id.

export interface CreateLeg {
  readonly type: 'CreateLeg';
  readonly legId: string;
  readonly callId: string;
  /** The call's request id = the correlation id of every event the call causes. */
  readonly requestId: string;
  readonly direction: LegDirection;
  readonly side: LegSide;
  readonly farEnd: FarEnd;
  readonly presentedCaller: string;
  readonly callee: string;
  readonly at: string;
}

/** 180 Ringing received (outbound) or sent (inbound). */
export interface MarkRinging {
  readonly type: 'MarkRinging';
  readonly legId: string;
  readonly at: string;
}

/** 183 Session Progress with SDP: media flows before the answer. */
export interface MarkEarlyMedia {
  readonly type: 'MarkEarlyMedia';
  readonly legId: string;
  readonly at: string;
}

/** 200 OK to the INVITE. */
export interface AnswerLeg {
  readonly type: 'AnswerLeg';
  readonly legId: string;
  readonly at: string;
}

export interface HoldLeg {
  readonly type: 'HoldLeg';
  readonly legId: string;
  readonly at: string;
}

export interface ResumeLeg {
  readonly type: 'ResumeLeg';
  readonly legId: string;
  readonly at: string;
}

/** Media of this leg now flows to and from `otherLegId` (the other leg gets its own BridgeLegs). */
export interface BridgeLegs {
  readonly type: 'BridgeLegs';
  readonly legId: string;
  readonly otherLegId: string;
  readonly at: string;
}

export interface EndLeg {
  readonly type: 'EndLeg';
  readonly legId: string;
  readonly cause: EndCause;
  /** Final SIP status; null for a BYE. */
  readonly sipStatus: number | null;
  readonly hungUpBy: HungUpBy;
  readonly at: string;
}

export type LegCommand = CreateLeg | MarkRinging | MarkEarlyMedia | AnswerLeg | HoldLeg | ResumeLeg | BridgeLegs | EndLeg;
export type LegCommandType = LegCommand['type'];

export const LEG_COMMAND_TYPES: readonly LegCommandType[] = ['CreateLeg', 'MarkRinging', 'MarkEarlyMedia', 'AnswerLeg', 'HoldLeg', 'ResumeLeg', 'BridgeLegs', 'EndLeg'];

/**
 * Where a leg is. `none`: no event yet; `created`: INVITE sent or received, nothing back yet;
 * `early-media`: 183 with media; `answered`: talking (and not held); `held`: answered and on hold.
 */
export type LegStatus = 'none' | 'created' | 'ringing' | 'early-media' | 'answered' | 'held' | 'ended';

export const LEG_STATUSES: readonly LegStatus[] = ['none', 'created', 'ringing', 'early-media', 'answered', 'held', 'ended'];

export interface CallLeg {
  readonly status: LegStatus;
  /** What LegCreated said; null before it. */
  readonly created: LegCreatedData | null;
  /** The leg this one's media is bridged with; null when not bridged. */
  readonly bridgedWith: string | null;
}

export type LegErrorCode =
  /** The command does not fit the leg's state (answer an ended leg, hold before answer, …). */
  | 'LEG.INVALID_TRANSITION'
  /** A command other than CreateLeg for a leg that was never created. */
  | 'LEG.NOT_FOUND'
  /** CreateLeg for an existing leg with different facts (the same facts are a retry: quiet). */
  | 'LEG.ALREADY_EXISTS'
  /** The command itself is malformed: a bad instant, a leg bridged with itself, the wrong leg id. */
  | 'LEG.INVALID_COMMAND';
