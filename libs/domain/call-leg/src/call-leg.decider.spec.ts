import { DomainError, foldEvents, spec } from '@pbx/domain-kernel';
import {
  callLegDecider as leg,
  CreateLeg,
  EndLeg,
  LEG_COMMAND_TYPES,
  LEG_STATUSES,
  LEG_TRANSITIONS,
  LegCommand,
  LegEvent,
  legStreamName,
  parseLegEvent,
} from './index';

// Given/When/Then per command (STYLE.md): the right events, "says no", "stays quiet".
// Time is injected: t(n) is n seconds after 09:00.
const t = (s: number) => new Date(Date.parse('2025-04-01T09:00:00.000Z') + s * 1000).toISOString();
const L = 'leg-1';
const ref = (s: number) => ({ legId: L, callId: 'call-1', at: t(s) });

const create: CreateLeg = {
  type: 'CreateLeg',
  legId: L,
  callId: 'call-1',
  requestId: 'req-1',
  direction: 'outbound',
  side: 'b-leg',
  farEnd: { kind: 'extension', number: '1002' },
  presentedCaller: '1001',
  callee: '1002',
  at: t(0),
};
const created: LegEvent = {
  type: 'LegCreated',
  data: { legId: L, callId: 'call-1', at: t(0), requestId: 'req-1', direction: 'outbound', side: 'b-leg', farEnd: { kind: 'extension', number: '1002' }, presentedCaller: '1001', callee: '1002' },
};
const ringing: LegEvent = { type: 'LegRinging', data: ref(1) };
const early: LegEvent = { type: 'LegEarlyMediaStarted', data: ref(1) };
const answered: LegEvent = { type: 'LegAnswered', data: ref(2) };
const held: LegEvent = { type: 'LegHeld', data: ref(3) };
const resumed: LegEvent = { type: 'LegResumed', data: ref(4) };
const bridged = (other: string, s = 3): LegEvent => ({ type: 'LegBridged', data: { ...ref(s), otherLegId: other } });
const ended: LegEvent = { type: 'LegEnded', data: { ...ref(9), cause: 'normal', sipStatus: null, hungUpBy: 'caller' } };

const cmd = {
  ring: (s = 1): LegCommand => ({ type: 'MarkRinging', legId: L, at: t(s) }),
  early: (s = 1): LegCommand => ({ type: 'MarkEarlyMedia', legId: L, at: t(s) }),
  answer: (s = 2): LegCommand => ({ type: 'AnswerLeg', legId: L, at: t(s) }),
  hold: (s = 3): LegCommand => ({ type: 'HoldLeg', legId: L, at: t(s) }),
  resume: (s = 4): LegCommand => ({ type: 'ResumeLeg', legId: L, at: t(s) }),
  bridge: (other: string, s = 3): LegCommand => ({ type: 'BridgeLegs', legId: L, otherLegId: other, at: t(s) }),
  end: (over: Partial<EndLeg> = {}): LegCommand => ({ type: 'EndLeg', legId: L, cause: 'normal', sipStatus: null, hungUpBy: 'caller', at: t(9), ...over }),
};

function errorOf(past: LegEvent[], c: LegCommand): DomainError {
  try {
    leg.decide(c, foldEvents(leg, past));
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('CreateLeg (SPEC H-1)', () => {
  it('creates the leg: LegCreated with every fact of the command', () => spec(leg).given([]).when(create).then([created]));

  it('keeps trunk and DID of a carrier far end', () => {
    const inbound: CreateLeg = { ...create, direction: 'inbound', side: 'a-leg', farEnd: { kind: 'trunk', number: '0311112222', trunkId: 'carrier-a', did: '0501234567' } };
    const [e] = leg.decide(inbound, leg.initialState());
    expect(e).toEqual({ type: 'LegCreated', data: expect.objectContaining({ farEnd: { kind: 'trunk', number: '0311112222', trunkId: 'carrier-a', did: '0501234567' } }) });
  });

  it('stays quiet on a retry with the same facts (its reply was lost)', () => spec(leg).given([created]).when(create).thenNothing());

  it('stays quiet on a retry after the leg ended', () => spec(leg).given([created, ended]).when(create).thenNothing());

  it('says no to the same leg id with other facts: LEG.ALREADY_EXISTS', () =>
    spec(leg).given([created]).when({ ...create, callee: '1003' }).thenThrows('LEG.ALREADY_EXISTS'));

  it('says no to a malformed instant: LEG.INVALID_COMMAND naming the field', () => {
    spec(leg).given([]).when({ ...create, at: 'yesterday' }).thenThrows('LEG.INVALID_COMMAND');
    expect(errorOf([], { ...create, at: 'yesterday' }).message).toMatch(/LegCreated would be invalid: at:/);
  });

  it('says no to an empty leg id', () => spec(leg).given([]).when({ ...create, legId: '' }).thenThrows('LEG.INVALID_COMMAND'));
});

describe('MarkRinging (180)', () => {
  it('rings a created leg: LegRinging', () => spec(leg).given([created]).when(cmd.ring()).then([ringing]));
  it('stays quiet on a second 180', () => spec(leg).given([created, ringing]).when(cmd.ring(5)).thenNothing());
  it('stays quiet on a 180 after early media (the media keeps flowing)', () => spec(leg).given([created, early]).when(cmd.ring(5)).thenNothing());
  it('says no after the answer: LEG.INVALID_TRANSITION naming state and command', () => {
    spec(leg).given([created, answered]).when(cmd.ring(5)).thenThrows('LEG.INVALID_TRANSITION');
    const e = errorOf([created, answered], cmd.ring(5));
    expect(e.message).toBe('leg leg-1 is answered: cannot MarkRinging');
    expect(e.details).toEqual({ legId: L, state: 'answered', command: 'MarkRinging' });
  });
  it('says no on an ended leg', () => spec(leg).given([created, ended]).when(cmd.ring()).thenThrows('LEG.INVALID_TRANSITION'));
  it('says no for a leg that was never created: LEG.NOT_FOUND', () => spec(leg).given([]).when(cmd.ring()).thenThrows('LEG.NOT_FOUND'));
});

describe('MarkEarlyMedia (183 with SDP)', () => {
  it('starts early media on a created leg', () => spec(leg).given([created]).when(cmd.early()).then([early]));
  it('starts early media on a ringing leg', () =>
    spec(leg).given([created, ringing]).when(cmd.early(2)).then([{ type: 'LegEarlyMediaStarted', data: ref(2) }]));
  it('stays quiet on a second 183', () => spec(leg).given([created, early]).when(cmd.early(2)).thenNothing());
  it('says no after the answer', () => spec(leg).given([created, answered]).when(cmd.early(3)).thenThrows('LEG.INVALID_TRANSITION'));
  it('says no on an ended leg', () => spec(leg).given([created, ended]).when(cmd.early()).thenThrows('LEG.INVALID_TRANSITION'));
});

describe('AnswerLeg (200 OK)', () => {
  it('answers a created leg', () => spec(leg).given([created]).when(cmd.answer()).then([answered]));
  it('answers a ringing leg', () => spec(leg).given([created, ringing]).when(cmd.answer()).then([answered]));
  it('answers a leg with early media', () => spec(leg).given([created, early]).when(cmd.answer()).then([answered]));
  it('stays quiet on a retransmitted 200', () => spec(leg).given([created, answered]).when(cmd.answer(3)).thenNothing());
  it('stays quiet on an answer while held (the leg was answered long ago)', () => spec(leg).given([created, answered, held]).when(cmd.answer(5)).thenNothing());
  it('says no on an ended leg, naming the state', () => {
    spec(leg).given([created, ended]).when(cmd.answer(10)).thenThrows('LEG.INVALID_TRANSITION');
    expect(errorOf([created, ended], cmd.answer(10)).message).toBe('leg leg-1 is ended: cannot AnswerLeg');
  });
  it('says no for a leg that was never created', () => spec(leg).given([]).when(cmd.answer()).thenThrows('LEG.NOT_FOUND'));
});

describe('HoldLeg', () => {
  it('holds an answered leg', () => spec(leg).given([created, answered]).when(cmd.hold()).then([held]));
  it('holds a leg again after a resume', () =>
    spec(leg).given([created, answered, held, resumed]).when(cmd.hold(5)).then([{ type: 'LegHeld', data: ref(5) }]));
  it('stays quiet on a held leg', () => spec(leg).given([created, answered, held]).when(cmd.hold(4)).thenNothing());
  it('says no before the answer', () => {
    spec(leg).given([created, ringing]).when(cmd.hold()).thenThrows('LEG.INVALID_TRANSITION');
    expect(errorOf([created, ringing], cmd.hold()).message).toBe('leg leg-1 is ringing: cannot HoldLeg');
  });
  it('says no on an ended leg', () => spec(leg).given([created, answered, ended]).when(cmd.hold(10)).thenThrows('LEG.INVALID_TRANSITION'));
});

describe('ResumeLeg', () => {
  it('resumes a held leg', () => spec(leg).given([created, answered, held]).when(cmd.resume()).then([resumed]));
  it('stays quiet on a leg that is not held', () => spec(leg).given([created, answered]).when(cmd.resume()).thenNothing());
  it('says no before the answer', () => spec(leg).given([created]).when(cmd.resume()).thenThrows('LEG.INVALID_TRANSITION'));
  it('says no on an ended leg', () => spec(leg).given([created, answered, held, ended]).when(cmd.resume(10)).thenThrows('LEG.INVALID_TRANSITION'));
});

describe('BridgeLegs', () => {
  it('bridges an answered leg with the other leg', () => spec(leg).given([created, answered]).when(cmd.bridge('leg-2')).then([bridged('leg-2')]));
  it('bridges early media (the caller hears the far ringback)', () => spec(leg).given([created, early]).when(cmd.bridge('leg-2', 1)).then([bridged('leg-2', 1)]));
  it('re-bridges with another leg (a transfer)', () =>
    spec(leg).given([created, answered, bridged('leg-2')]).when(cmd.bridge('leg-3', 5)).then([bridged('leg-3', 5)]));
  it('stays quiet when already bridged with that leg', () => spec(leg).given([created, answered, bridged('leg-2')]).when(cmd.bridge('leg-2', 5)).thenNothing());
  it('stays quiet re-bridging the same leg after a hold and resume', () =>
    spec(leg).given([created, answered, bridged('leg-2'), held, resumed]).when(cmd.bridge('leg-2', 5)).thenNothing());
  it('says no before any answer or media', () => spec(leg).given([created, ringing]).when(cmd.bridge('leg-2')).thenThrows('LEG.INVALID_TRANSITION'));
  it('says no while held (resume first)', () => spec(leg).given([created, answered, held]).when(cmd.bridge('leg-2', 5)).thenThrows('LEG.INVALID_TRANSITION'));
  it('says no on an ended leg', () => spec(leg).given([created, answered, ended]).when(cmd.bridge('leg-2', 10)).thenThrows('LEG.INVALID_TRANSITION'));
  it('says no to a bridge with itself', () => spec(leg).given([created, answered]).when(cmd.bridge(L)).thenThrows('LEG.INVALID_COMMAND'));
});

describe('EndLeg', () => {
  it('ends an answered leg with cause, status and who hung up', () => spec(leg).given([created, answered]).when(cmd.end()).then([ended]));
  it('ends a ringing leg that the caller cancelled (487)', () =>
    spec(leg)
      .given([created, ringing])
      .when(cmd.end({ cause: 'cancelled', sipStatus: 487, at: t(4) }))
      .then([{ type: 'LegEnded', data: { ...ref(4), cause: 'cancelled', sipStatus: 487, hungUpBy: 'caller' } }]));
  it('ends a held leg', () => spec(leg).given([created, answered, held]).when(cmd.end()).then([ended]));
  it('ends a leg right after creation (over the channel limit, 503)', () =>
    spec(leg)
      .given([created])
      .when(cmd.end({ cause: 'over-channel-limit', sipStatus: 503, hungUpBy: 'system', at: t(0) }))
      .then([{ type: 'LegEnded', data: { ...ref(0), cause: 'over-channel-limit', sipStatus: 503, hungUpBy: 'system' } }]));
  it('stays quiet on an ended leg (BYE and its retransmission)', () => spec(leg).given([created, answered, ended]).when(cmd.end({ at: t(11) })).thenNothing());
  it('says no for a leg that was never created', () => spec(leg).given([]).when(cmd.end()).thenThrows('LEG.NOT_FOUND'));
  it('says no to a SIP status that is not one', () => spec(leg).given([created]).when(cmd.end({ sipStatus: 999 })).thenThrows('LEG.INVALID_COMMAND'));
});

describe('the leg stream', () => {
  it('says no to a command for another leg than the stream holds', () =>
    spec(leg).given([created]).when({ type: 'AnswerLeg', legId: 'leg-9', at: t(1) }).thenThrows('LEG.INVALID_COMMAND'));

  it('is named leg-<legId>', () => expect(legStreamName('abc')).toBe('leg-abc'));

  it('folds a full life into the ended state', () =>
    expect(foldEvents(leg, [created, ringing, answered, bridged('leg-2'), held, resumed, ended])).toEqual({
      status: 'ended',
      created: created.data,
      bridgedWith: null,
    }));

  it('covers every state × command in the transition table', () => {
    for (const s of LEG_STATUSES) for (const c of LEG_COMMAND_TYPES) expect(['event', 'quiet', 'invalid']).toContain(LEG_TRANSITIONS[s][c]);
  });
});

describe('event schemas (validate on read)', () => {
  it('accepts every event the decider emits', () => {
    for (const e of [created, ringing, early, answered, held, resumed, bridged('leg-2'), ended]) {
      expect(parseLegEvent(e.type, JSON.parse(JSON.stringify(e.data)))).toEqual({ ok: true, event: e });
    }
  });
  it('refuses an unknown type and bad data, naming the field', () => {
    expect(parseLegEvent('LegExploded', {})).toEqual({ ok: false, error: 'not a call-leg event type: LegExploded' });
    const bad = parseLegEvent('LegEnded', { ...ended.data, cause: 'bored' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^LegEnded: cause /);
  });
});
