// Calls as sip-edge records them: leg commands through the real call-leg decider, appended to
// the event store with handleCommand. history-projector turns them into call_log rows.
import { callLegDecider, FarEnd, LegCommand, legStreamName } from '@pbx/domain-call-leg';
import { EventStore, handleCommand } from '@pbx/event-store';

export interface Call {
  callId: string;
  requestId: string;
  commands: LegCommand[];
}

export interface CallPlan {
  callId: string;
  /** Seconds after `base` when the call starts. */
  at: number;
  /** The originating leg's far end and what it presented and called. */
  from: FarEnd;
  presented: string;
  called: string;
  /** Who the PBX rings; `answers: false` → no answer after 30 s. */
  to: FarEnd;
  answers: boolean;
}

/** A two-leg call: a-leg from `from`, b-leg to `to`; answered and talked 60 s, or unanswered. */
export function twoLegCall(p: CallPlan, base: number): Call {
  const iso = (s: number) => new Date(base + (p.at + s) * 1000).toISOString();
  const a = `${p.callId}-a`;
  const b = `${p.callId}-b`;
  const requestId = `req-${p.callId}`;
  const common = { callId: p.callId, requestId, presentedCaller: p.presented, callee: p.called };
  const commands: LegCommand[] = [
    { type: 'CreateLeg', legId: a, side: 'a-leg', direction: 'inbound', farEnd: p.from, at: iso(0), ...common },
    { type: 'CreateLeg', legId: b, side: 'b-leg', direction: 'outbound', farEnd: p.to, at: iso(0), ...common },
    { type: 'MarkRinging', legId: b, at: iso(1) },
  ];
  if (p.answers) {
    commands.push(
      { type: 'AnswerLeg', legId: b, at: iso(5) },
      { type: 'AnswerLeg', legId: a, at: iso(5) },
      { type: 'BridgeLegs', legId: a, otherLegId: b, at: iso(5) },
      { type: 'BridgeLegs', legId: b, otherLegId: a, at: iso(5) },
      { type: 'EndLeg', legId: b, cause: 'normal', sipStatus: null, hungUpBy: 'caller', at: iso(65) },
      { type: 'EndLeg', legId: a, cause: 'normal', sipStatus: null, hungUpBy: 'caller', at: iso(65) },
    );
  } else {
    commands.push(
      { type: 'EndLeg', legId: b, cause: 'no-answer', sipStatus: 480, hungUpBy: 'system', at: iso(31) },
      { type: 'EndLeg', legId: a, cause: 'no-answer', sipStatus: 480, hungUpBy: 'system', at: iso(31) },
    );
  }
  return { callId: p.callId, requestId, commands };
}

export async function placeCall(store: EventStore, call: Call): Promise<void> {
  for (const c of call.commands) await handleCommand(store, legStreamName(c.legId), callLegDecider, c, { metadata: { correlationId: call.requestId } });
}

export const ext = (number: string): FarEnd => ({ kind: 'extension', number });
export const fromTrunk = (number: string, did: string): FarEnd => ({ kind: 'trunk', number, trunkId: 'carrier-a', did });
export const toExternal = (number: string): FarEnd => ({ kind: 'external', number, trunkId: 'carrier-a' });
