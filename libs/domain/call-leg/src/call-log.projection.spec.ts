import { DomainError } from '@pbx/domain-kernel';
import { callLegDecider, CallLogRow, callLogStartedAt, EndCause, evolveCallLog, FarEnd, HungUpBy, initialCallLogState, LegCommand, LegEvent, projectCallLog, unansweredResult } from './index';

// Table tests of the call-log row (発着信履歴, SPEC H-2..H-4). Each scenario is written as the
// commands sip-edge would send each leg; the events come from the real decider, so a scenario
// that the leg state machine would refuse fails here too. t(n) is n seconds after 09:00.
const t = (s: number) => new Date(Date.parse('2025-04-01T09:00:00.000Z') + s * 1000).toISOString();

interface LegSpec {
  side: 'a-leg' | 'b-leg';
  direction: 'inbound' | 'outbound';
  farEnd: FarEnd;
  presentedCaller: string;
  callee: string;
}

/** Records the events of one call's legs as the decider emits them, in the order commands are given. */
function callOf(callId = 'call-1', requestId = 'req-1') {
  const events: LegEvent[] = [];
  const run = (c: LegCommand) => {
    const past = events.filter((e) => e.data.legId === c.legId);
    const state = past.reduce(callLegDecider.evolve, callLegDecider.initialState());
    events.push(...callLegDecider.decide(c, state));
  };
  const leg = (legId: string, l: LegSpec, at: number) => {
    run({ type: 'CreateLeg', legId, callId, requestId, ...l, at: t(at) });
    const api = {
      ring: (s: number) => (run({ type: 'MarkRinging', legId, at: t(s) }), api),
      answer: (s: number) => (run({ type: 'AnswerLeg', legId, at: t(s) }), api),
      bridge: (other: string, s: number) => (run({ type: 'BridgeLegs', legId, otherLegId: other, at: t(s) }), api),
      hold: (s: number) => (run({ type: 'HoldLeg', legId, at: t(s) }), api),
      resume: (s: number) => (run({ type: 'ResumeLeg', legId, at: t(s) }), api),
      end: (s: number, cause: EndCause = 'normal', sipStatus: number | null = null, hungUpBy: HungUpBy = 'caller') => (
        run({ type: 'EndLeg', legId, cause, sipStatus, hungUpBy, at: t(s) }), api
      ),
    };
    return api;
  };
  return { events, leg };
}

const phone = (n: string): FarEnd => ({ kind: 'extension', number: n });
const aFromPhone = (ext: string, callee: string): LegSpec => ({ side: 'a-leg', direction: 'inbound', farEnd: phone(ext), presentedCaller: ext, callee });
const bToPhone = (ext: string, caller: string): LegSpec => ({ side: 'b-leg', direction: 'outbound', farEnd: phone(ext), presentedCaller: caller, callee: ext });
const CARRIER = 'carrier-a';
const DID = '0312345678';
const CUSTOMER = '09011112222';
const aFromTrunk = (callee = DID): LegSpec => ({
  side: 'a-leg',
  direction: 'inbound',
  farEnd: { kind: 'trunk', number: CUSTOMER, trunkId: CARRIER, did: DID },
  presentedCaller: CUSTOMER,
  callee,
});

/** A row with the columns every scenario shares; each scenario names what differs. */
const row = (over: Partial<CallLogRow>): CallLogRow => ({
  callId: 'call-1',
  requestId: 'req-1',
  originLegId: 'a',
  startedAt: t(0),
  answeredAt: null,
  endedAt: null,
  durationSeconds: 0,
  direction: 'internal',
  federation: false,
  presentedCaller: '1001',
  callee: '1002',
  answeredBy: null,
  answeredByLegId: null,
  result: null,
  trunkId: null,
  did: null,
  ...over,
});

interface Scenario {
  name: string;
  events: () => LegEvent[];
  expected: CallLogRow;
}

const scenarios: Scenario[] = [
  {
    name: 'phone → phone, answered: internal, duration from answer to the last hang-up',
    events: () => {
      const c = callOf();
      const a = c.leg('a', aFromPhone('1001', '1002'), 0);
      const b = c.leg('b', bToPhone('1002', '1001'), 0).ring(1);
      a.ring(1);
      b.answer(5).bridge('a', 5);
      a.answer(5).bridge('b', 5).end(65, 'normal', null, 'caller');
      b.end(65, 'normal', null, 'caller');
      return c.events;
    },
    expected: row({ answeredAt: t(5), endedAt: t(65), durationSeconds: 60, answeredBy: '1002', answeredByLegId: 'b', result: 'answered' }),
  },
  {
    name: 'trunk → DID → phone: incoming, with trunk and DID',
    events: () => {
      const c = callOf();
      const a = c.leg('a', aFromTrunk(), 0);
      const b = c.leg('b', bToPhone('1001', CUSTOMER), 0).ring(1).answer(10).bridge('a', 10);
      a.answer(10).bridge('b', 10);
      b.end(40.5, 'normal', null, 'callee');
      a.end(40.5, 'normal', null, 'callee');
      return c.events;
    },
    expected: row({
      direction: 'incoming',
      presentedCaller: CUSTOMER,
      callee: DID,
      answeredAt: t(10),
      endedAt: t(40.5),
      durationSeconds: 31, // 30.5 s rounded up
      answeredBy: '1001',
      answeredByLegId: 'b',
      result: 'answered',
      trunkId: CARRIER,
      did: DID,
    }),
  },
  {
    name: 'phone → external: outgoing through the trunk the b-leg left on',
    events: () => {
      const c = callOf();
      const a = c.leg('a', aFromPhone('1001', '0399998888'), 0);
      const b = c.leg('b', { side: 'b-leg', direction: 'outbound', farEnd: { kind: 'external', number: '0399998888', trunkId: CARRIER }, presentedCaller: '0501111222', callee: '0399998888' }, 1);
      b.ring(2).answer(7).bridge('a', 7);
      a.answer(7).bridge('b', 7).hold(20).resume(30).end(67);
      b.end(67);
      return c.events;
    },
    expected: row({ direction: 'outgoing', callee: '0399998888', answeredAt: t(7), endedAt: t(67), durationSeconds: 60, answeredBy: '0399998888', answeredByLegId: 'b', result: 'answered', trunkId: CARRIER }),
  },
  {
    name: 'group ring-all, one of three answers, the others cancelled: one row answered by the winner',
    events: () => {
      const c = callOf();
      const a = c.leg('a', aFromTrunk('3000'), 0);
      const m1 = c.leg('m1', bToPhone('1001', CUSTOMER), 1).ring(2);
      const m2 = c.leg('m2', bToPhone('1002', CUSTOMER), 1).ring(2);
      const m3 = c.leg('m3', bToPhone('1003', CUSTOMER), 1).ring(2);
      m2.answer(8).bridge('a', 8);
      a.answer(8).bridge('m2', 8);
      m1.end(8, 'cancelled', 487, 'system');
      m3.end(8, 'cancelled', 487, 'system');
      a.end(30, 'normal', null, 'caller');
      m2.end(30, 'normal', null, 'caller');
      return c.events;
    },
    expected: row({
      direction: 'incoming',
      presentedCaller: CUSTOMER,
      callee: '3000',
      answeredAt: t(8),
      endedAt: t(30),
      durationSeconds: 22,
      answeredBy: '1002',
      answeredByLegId: 'm2',
      result: 'answered',
      trunkId: CARRIER,
      did: DID,
    }),
  },
  {
    name: 'group ring-all race, two answer: the one bridged with the caller wins, not the first 200',
    events: () => {
      const c = callOf();
      const a = c.leg('a', aFromPhone('1001', '3000'), 0);
      const m1 = c.leg('m1', bToPhone('1002', '1001'), 0).ring(1);
      const m2 = c.leg('m2', bToPhone('1003', '1001'), 0).ring(1);
      m2.answer(4);
      m1.answer(4.2).bridge('a', 4.3);
      a.answer(4.3).bridge('m1', 4.3);
      m2.end(4.4, 'normal', null, 'system'); // the late loser is hung up with a BYE
      a.end(14);
      m1.end(14);
      return c.events;
    },
    expected: row({ callee: '3000', answeredAt: t(4.2), endedAt: t(14), durationSeconds: 10, answeredBy: '1002', answeredByLegId: 'm1', result: 'answered' }),
  },
  {
    name: 'CANCEL before answer: cancelled, no answer time, duration 0',
    events: () => {
      const c = callOf();
      const a = c.leg('a', aFromPhone('1001', '1002'), 0).ring(1);
      const b = c.leg('b', bToPhone('1002', '1001'), 0).ring(1);
      a.end(6, 'cancelled', 487, 'caller');
      b.end(6, 'cancelled', 487, 'caller');
      return c.events;
    },
    expected: row({ endedAt: t(6), result: 'cancelled' }),
  },
  {
    name: 'busy (486): busy',
    events: () => {
      const c = callOf();
      const a = c.leg('a', aFromPhone('1001', '1002'), 0);
      const b = c.leg('b', bToPhone('1002', '1001'), 0);
      b.end(1, 'busy', 486, 'callee');
      a.end(1, 'busy', 486, 'callee');
      return c.events;
    },
    expected: row({ endedAt: t(1), result: 'busy' }),
  },
  {
    name: 'no answer (480): no-answer',
    events: () => {
      const c = callOf();
      const a = c.leg('a', aFromTrunk('1001'), 0).ring(1);
      const b = c.leg('b', bToPhone('1001', CUSTOMER), 0).ring(1);
      b.end(30, 'no-answer', 480, 'system');
      a.end(30, 'no-answer', 480, 'system');
      return c.events;
    },
    expected: row({ direction: 'incoming', presentedCaller: CUSTOMER, callee: '1001', endedAt: t(30), result: 'no-answer', trunkId: CARRIER, did: DID }),
  },
  {
    name: 'over the channel limit (同時通話数, SPEC Q-5): the inbound call is refused with 503',
    events: () => {
      const c = callOf();
      c.leg('a', aFromTrunk('1001'), 0).end(0, 'over-channel-limit', 503, 'system');
      return c.events;
    },
    expected: row({ direction: 'incoming', presentedCaller: CUSTOMER, callee: '1001', endedAt: t(0), result: 'rejected-over-channel-limit', trunkId: CARRIER, did: DID }),
  },
  {
    name: 'federated call to a peer extension (SPEC F-3, F-4): internal, with the federation flag',
    events: () => {
      const c = callOf();
      const a = c.leg('a', aFromPhone('1001', '122001'), 0);
      const b = c.leg('b', { side: 'b-leg', direction: 'outbound', farEnd: { kind: 'peer', number: '122001' }, presentedCaller: '111001', callee: '122001' }, 0);
      b.ring(1).answer(3).bridge('a', 3);
      a.answer(3).bridge('b', 3).end(13);
      b.end(13);
      return c.events;
    },
    expected: row({ callee: '122001', federation: true, answeredAt: t(3), endedAt: t(13), durationSeconds: 10, answeredBy: '122001', answeredByLegId: 'b', result: 'answered' }),
  },
  {
    name: 'federated call seen by the peer (SPEC F-4): internal, caller as <prefix><extension>',
    events: () => {
      const c = callOf();
      const a = c.leg('a', { side: 'a-leg', direction: 'inbound', farEnd: { kind: 'peer', number: '111001' }, presentedCaller: '111001', callee: '2001' }, 0);
      const b = c.leg('b', bToPhone('2001', '111001'), 0).answer(3).bridge('a', 3);
      a.answer(3).bridge('b', 3).end(13);
      b.end(13);
      return c.events;
    },
    expected: row({ presentedCaller: '111001', callee: '2001', federation: true, answeredAt: t(3), endedAt: t(13), durationSeconds: 10, answeredBy: '2001', answeredByLegId: 'b', result: 'answered' }),
  },
  {
    name: 'external caller forwarded to a peer (SPEC F-7): the peer logs the external caller, internal',
    events: () => {
      const c = callOf();
      const a = c.leg('a', { side: 'a-leg', direction: 'inbound', farEnd: { kind: 'peer', number: CUSTOMER }, presentedCaller: CUSTOMER, callee: '2001' }, 0);
      const b = c.leg('b', bToPhone('2001', CUSTOMER), 0).ring(1);
      a.end(20, 'cancelled', 487, 'caller');
      b.end(20, 'cancelled', 487, 'caller');
      return c.events;
    },
    expected: row({ presentedCaller: CUSTOMER, callee: '2001', federation: true, endedAt: t(20), result: 'cancelled' }),
  },
  {
    name: 'answered by the PBX itself (IVR): answered, by the number called',
    events: () => {
      const c = callOf();
      c.leg('a', aFromTrunk('4000'), 0).answer(1).end(31, 'normal', null, 'caller');
      return c.events;
    },
    expected: row({ direction: 'incoming', presentedCaller: CUSTOMER, callee: '4000', answeredAt: t(1), endedAt: t(31), durationSeconds: 30, answeredBy: '4000', result: 'answered', trunkId: CARRIER, did: DID }),
  },
  {
    name: 'a call the PBX places (a callback’s 1st call to the agent, SPEC C-3, C-10) that is not answered in 30 s',
    events: () => {
      const c = callOf();
      const agent: LegSpec = { side: 'a-leg', direction: 'outbound', farEnd: { kind: 'external', number: '09055556666', trunkId: CARRIER }, presentedCaller: '0501111222', callee: '09055556666' };
      c.leg('a', agent, 0).ring(2).end(30, 'no-answer', null, 'system');
      return c.events;
    },
    expected: row({ direction: 'outgoing', presentedCaller: '0501111222', callee: '09055556666', endedAt: t(30), result: 'no-answer', trunkId: CARRIER }),
  },
  {
    name: 'in progress: no end, no result, duration 0',
    events: () => {
      const c = callOf();
      const a = c.leg('a', aFromPhone('1001', '1002'), 0);
      c.leg('b', bToPhone('1002', '1001'), 0).answer(2).bridge('a', 2);
      a.answer(2).bridge('b', 2).end(9);
      return c.events;
    },
    expected: row({ answeredAt: t(2), answeredBy: '1002', answeredByLegId: 'b' }),
  },
];

describe('call-log row (発着信履歴, SPEC H-2)', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    expect(projectCallLog(s.events())).toEqual(s.expected);
  });

  it('has no row before the originating leg is seen', () => {
    const c = callOf();
    c.leg('b', bToPhone('1002', '1001'), 0).ring(1);
    expect(projectCallLog(c.events)).toBeNull();
    expect(projectCallLog([])).toBeNull();
  });

  it('refuses an event of another call (a routing bug of the projector)', () => {
    const one = callOf('call-1');
    one.leg('a', aFromPhone('1001', '1002'), 0);
    const other = callOf('call-2');
    other.leg('x', aFromPhone('1003', '1002'), 0);
    const state = evolveCallLog(initialCallLogState(), one.events[0] as LegEvent);
    expect(() => evolveCallLog(state, other.events[0] as LegEvent)).toThrow(DomainError);
  });
});

describe('replay (SPEC H-3): the same events give the same row', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s — twice, reversed, interleaved', (_name, s) => {
    const events = s.events();
    expect(projectCallLog([...events, ...events])).toEqual(s.expected);
    expect(projectCallLog([...events].reverse())).toEqual(s.expected);
    // Each event applied twice in a row (a redelivery) and the legs interleaved differently.
    const byLeg = [...events].sort((x, y) => (x.data.legId < y.data.legId ? 1 : x.data.legId > y.data.legId ? -1 : 0));
    expect(projectCallLog(byLeg.flatMap((e) => [e, e]))).toEqual(s.expected);
  });

  it('a state stored as JSON and read back goes on the same', () => {
    const events = scenarios[3]?.events() ?? [];
    const half = Math.floor(events.length / 2);
    const stored = JSON.parse(JSON.stringify(events.slice(0, half).reduce(evolveCallLog, initialCallLogState())));
    const resumed = events.slice(half - 2).reduce(evolveCallLog, stored);
    expect(projectCallLog(events)).toEqual(scenarios[3]?.expected);
    expect(resumed).toEqual(events.reduce(evolveCallLog, initialCallLogState()));
  });
});

describe('result of an unanswered call, from the originating leg’s end', () => {
  it.each([
    ['busy', 486, 'callee', 'busy'],
    ['no-answer', 480, 'system', 'no-answer'],
    ['cancelled', 487, 'caller', 'cancelled'],
    ['over-channel-limit', 503, 'system', 'rejected-over-channel-limit'],
    ['rejected', 603, 'callee', 'busy'],
    ['rejected', 403, 'system', 'failed'],
    ['failed', 486, 'system', 'busy'],
    ['failed', 408, 'system', 'no-answer'],
    ['failed', 487, 'system', 'cancelled'],
    ['failed', 500, 'system', 'failed'],
    ['normal', null, 'caller', 'cancelled'],
    ['normal', null, 'system', 'failed'],
    ['drain', 503, 'system', 'failed'],
  ] as const)('%s %s by %s → %s', (cause, sipStatus, hungUpBy, expected) => {
    expect(unansweredResult({ at: t(0), cause, sipStatus, hungUpBy })).toBe(expected);
  });
});

describe('callLogStartedAt: what retention measures a call from (SPEC K-5)', () => {
  it('is the row\'s startedAt once the originating leg is known', () => {
    const c = callOf();
    c.leg('b', bToPhone('1002', '1001'), 5).answer(9);
    c.leg('a', aFromPhone('1001', '1002'), 3).end(20);
    expect(callLogStartedAt(c.events.reduce(evolveCallLog, initialCallLogState()))).toBe(t(3));
  });

  it('is the earliest known instant while only other legs are known, and null for nothing', () => {
    const c = callOf();
    c.leg('b', bToPhone('1002', '1001'), 7).answer(9).end(12);
    const events = c.events.slice(1); // LegCreated of b not seen yet: only the answer and the end
    expect(callLogStartedAt(events.reduce(evolveCallLog, initialCallLogState()))).toBe(t(9));
    expect(callLogStartedAt(c.events.reduce(evolveCallLog, initialCallLogState()))).toBe(t(7));
    expect(callLogStartedAt(initialCallLogState())).toBeNull();
  });
});
