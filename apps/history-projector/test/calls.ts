// Calls as sip-edge will produce them: commands per leg, decided by the real call-leg decider.
// Used by the int tests (appended through handleCommand, as sip-edge will) and the benches
// (decided locally, appended one leg per append, for volume).
import { callLegDecider, CallLogRow, evolveCallLog, FarEnd, initialCallLogState, callLogRow, LegCommand, LegEvent, legStreamName } from '@pbx/domain-call-leg';
import { EventStore, handleCommand } from '@pbx/event-store';

export interface CallScript {
  readonly callId: string;
  readonly requestId: string;
  /** Every command of the call, in the order sip-edge would send them (legs interleaved). */
  readonly commands: readonly LegCommand[];
}

export type CallKind = 'internal-answered' | 'incoming-answered' | 'outgoing-answered' | 'busy' | 'no-answer' | 'cancelled' | 'over-limit' | 'ring-all' | 'in-progress' | 'federated';
export const CALL_KINDS: readonly CallKind[] = ['internal-answered', 'incoming-answered', 'outgoing-answered', 'busy', 'no-answer', 'cancelled', 'over-limit', 'ring-all', 'in-progress', 'federated'];

const ext = (n: string): FarEnd => ({ kind: 'extension', number: n });

/**
 * One call of a kind, starting at `start` (epoch ms). `n` makes ids and numbers vary.
 * Numbers: extensions 1000–1199, DIDs 03-1234-00xx, customers 090-xxxx-xxxx.
 */
export function scriptCall(kind: CallKind, n: number, start: number, idPrefix = 'c'): CallScript {
  const callId = `${idPrefix}${n}`;
  const requestId = `req-${idPrefix}${n}`;
  const at = (s: number) => new Date(start + s * 1000).toISOString();
  const a = `${callId}-a`;
  const b = `${callId}-b`;
  const caller = String(1000 + (n % 200));
  const callee = String(1000 + ((n * 7 + 1) % 200));
  const customer = `090${String(10_000_000 + ((n * 7919) % 90_000_000)).padStart(8, '0')}`;
  const did = `03123400${String(n % 50).padStart(2, '0')}`;
  const talk = 5 + (n % 300);
  const commands: LegCommand[] = [];
  const create = (legId: string, side: 'a-leg' | 'b-leg', direction: 'inbound' | 'outbound', farEnd: FarEnd, presentedCaller: string, calleeNumber: string, s: number) =>
    commands.push({ type: 'CreateLeg', legId, callId, requestId, side, direction, farEnd, presentedCaller, callee: calleeNumber, at: at(s) });
  const ring = (legId: string, s: number) => commands.push({ type: 'MarkRinging', legId, at: at(s) });
  const answer = (legId: string, s: number) => commands.push({ type: 'AnswerLeg', legId, at: at(s) });
  const bridge = (legId: string, other: string, s: number) => commands.push({ type: 'BridgeLegs', legId, otherLegId: other, at: at(s) });
  const end = (legId: string, s: number, cause: 'normal' | 'busy' | 'no-answer' | 'cancelled' | 'over-channel-limit' = 'normal', sipStatus: number | null = null, hungUpBy: 'caller' | 'callee' | 'system' = 'caller') =>
    commands.push({ type: 'EndLeg', legId, cause, sipStatus, hungUpBy, at: at(s) });
  const talkBetween = (x: string, y: string, from: number) => {
    answer(y, from);
    answer(x, from);
    bridge(x, y, from);
    bridge(y, x, from);
    end(y, from + talk, 'normal', null, 'caller');
    end(x, from + talk, 'normal', null, 'caller');
  };

  switch (kind) {
    case 'internal-answered':
      create(a, 'a-leg', 'inbound', ext(caller), caller, callee, 0);
      create(b, 'b-leg', 'outbound', ext(callee), caller, callee, 0);
      ring(b, 1);
      talkBetween(a, b, 4);
      break;
    case 'incoming-answered':
      create(a, 'a-leg', 'inbound', { kind: 'trunk', number: customer, trunkId: 'carrier-a', did }, customer, did, 0);
      create(b, 'b-leg', 'outbound', ext(callee), customer, callee, 0);
      ring(b, 1);
      talkBetween(a, b, 6);
      break;
    case 'outgoing-answered':
      create(a, 'a-leg', 'inbound', ext(caller), caller, customer, 0);
      create(b, 'b-leg', 'outbound', { kind: 'external', number: customer, trunkId: 'carrier-b' }, did, customer, 0);
      ring(b, 2);
      talkBetween(a, b, 9);
      break;
    case 'busy':
      create(a, 'a-leg', 'inbound', ext(caller), caller, callee, 0);
      create(b, 'b-leg', 'outbound', ext(callee), caller, callee, 0);
      end(b, 1, 'busy', 486, 'callee');
      end(a, 1, 'busy', 486, 'callee');
      break;
    case 'no-answer':
      create(a, 'a-leg', 'inbound', { kind: 'trunk', number: customer, trunkId: 'carrier-a', did }, customer, did, 0);
      create(b, 'b-leg', 'outbound', ext(callee), customer, callee, 0);
      ring(b, 1);
      end(b, 31, 'no-answer', 480, 'system');
      end(a, 31, 'no-answer', 480, 'system');
      break;
    case 'cancelled':
      create(a, 'a-leg', 'inbound', ext(caller), caller, callee, 0);
      create(b, 'b-leg', 'outbound', ext(callee), caller, callee, 0);
      ring(b, 1);
      end(a, 8, 'cancelled', 487, 'caller');
      end(b, 8, 'cancelled', 487, 'system');
      break;
    case 'over-limit':
      create(a, 'a-leg', 'inbound', { kind: 'trunk', number: customer, trunkId: 'carrier-a', did }, customer, did, 0);
      end(a, 0, 'over-channel-limit', 486, 'system');
      break;
    case 'ring-all': {
      const b2 = `${callId}-b2`;
      create(a, 'a-leg', 'inbound', { kind: 'trunk', number: customer, trunkId: 'carrier-a', did }, customer, did, 0);
      create(b, 'b-leg', 'outbound', ext(callee), customer, callee, 0);
      create(b2, 'b-leg', 'outbound', { kind: 'mobile', number: caller }, customer, caller, 0);
      ring(b, 1);
      ring(b2, 1);
      answer(b2, 3);
      answer(a, 3);
      bridge(a, b2, 3);
      end(b, 3, 'cancelled', 487, 'system');
      end(b2, 3 + talk, 'normal', null, 'callee');
      end(a, 3 + talk, 'normal', null, 'callee');
      break;
    }
    case 'in-progress':
      create(a, 'a-leg', 'inbound', ext(caller), caller, callee, 0);
      create(b, 'b-leg', 'outbound', ext(callee), caller, callee, 0);
      ring(b, 1);
      answer(b, 2);
      answer(a, 2);
      break;
    case 'federated':
      create(a, 'a-leg', 'inbound', { kind: 'peer', number: `21${caller}` }, `21${caller}`, callee, 0);
      create(b, 'b-leg', 'outbound', ext(callee), `21${caller}`, callee, 0);
      ring(b, 1);
      talkBetween(a, b, 2);
      break;
  }
  return { callId, requestId, commands };
}

/** `count` calls of every kind in turn, one every `spacingMs` from `start`. */
export function scriptCalls(count: number, start: number, spacingMs = 60_000, idPrefix = 'c'): CallScript[] {
  return Array.from({ length: count }, (_, i) => scriptCall(CALL_KINDS[i % CALL_KINDS.length], i, start + i * spacingMs, idPrefix));
}

/** Appends a call command by command through handleCommand, as sip-edge will. */
export async function placeCall(store: EventStore, call: CallScript): Promise<void> {
  for (const c of call.commands) {
    await handleCommand(store, legStreamName(c.legId), callLegDecider, c, { metadata: { correlationId: call.requestId } });
  }
}

/** The events of each leg of a call, decided locally (for bulk appends: one append per leg). */
export function decideCall(call: CallScript): Map<string, LegEvent[]> {
  const legs = new Map<string, LegEvent[]>();
  for (const c of call.commands) {
    const past = legs.get(c.legId) ?? [];
    const state = past.reduce(callLegDecider.evolve, callLegDecider.initialState());
    legs.set(c.legId, [...past, ...callLegDecider.decide(c, state)]);
  }
  return legs;
}

/** The row the pure projection gives for a call (what call_log must hold for it). */
export function expectedRow(call: CallScript): CallLogRow | null {
  const events = [...decideCall(call).values()].flat();
  return callLogRow(events.reduce(evolveCallLog, initialCallLogState()));
}

/** Appends calls one leg per append (all of a leg's events at once), `parallel` legs at a time. */
export async function appendCallsByLeg(store: EventStore, calls: readonly CallScript[], parallel = 4): Promise<number> {
  const work: { stream: string; events: LegEvent[]; requestId: string }[] = [];
  for (const c of calls) for (const [legId, events] of decideCall(c)) work.push({ stream: legStreamName(legId), events, requestId: c.requestId });
  let next = 0;
  let appended = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let w = work[next++]; w !== undefined; w = work[next++]) {
        await store.append(w.stream, w.events, { expectedVersion: 0n, metadata: { correlationId: w.requestId } });
        appended += w.events.length;
      }
    }),
  );
  return appended;
}
