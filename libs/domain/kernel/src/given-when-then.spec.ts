import { Decider, DomainError, spec } from './index';

// A counter with a limit: the smallest decider that exercises every branch of the helper.
type Cmd = { type: 'Add'; n: number };
type Evt = { type: 'Added'; n: number };
const counter: Decider<Cmd, Evt, number> = {
  initialState: () => 0,
  evolve: (s, e) => s + e.n,
  decide: (c, s) => {
    if (c.n === 0) return [];
    if (s + c.n > 3) throw new DomainError('COUNTER.FULL');
    return [{ type: 'Added', n: c.n }];
  },
};

describe('given/when/then', () => {
  it('passes on the right events', () => spec(counter).given([{ type: 'Added', n: 1 }]).when({ type: 'Add', n: 2 }).then([{ type: 'Added', n: 2 }]));
  it('passes when the decider says no with the expected code', () =>
    spec(counter).given([{ type: 'Added', n: 3 }]).when({ type: 'Add', n: 1 }).thenThrows('COUNTER.FULL'));
  it('passes when the decider stays quiet', () => spec(counter).given([]).when({ type: 'Add', n: 0 }).thenNothing());
  it('fails on wrong events, a missing error and unexpected events', () => {
    expect(() => spec(counter).given([]).when({ type: 'Add', n: 1 }).then([{ type: 'Added', n: 2 }])).toThrow(/expected events/);
    expect(() => spec(counter).given([]).when({ type: 'Add', n: 1 }).thenThrows('COUNTER.FULL')).toThrow(/no error/);
    expect(() => spec(counter).given([]).when({ type: 'Add', n: 1 }).thenNothing()).toThrow(/expected no events/);
  });
});
