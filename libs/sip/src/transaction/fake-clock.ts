// A TimerHost for tests: time moves only when advance() says so, timers fire in due order
// (ties in the order they were set), and pending() shows what is still armed.

import type { TimerHost } from './transaction.types';

interface FakeTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

export class FakeClock implements TimerHost {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();

  /** ms since the clock was made. */
  get now(): number {
    return this.time;
  }

  set(ms: number, fn: () => void): unknown {
    if (Number.isNaN(ms)) throw new RangeError('FakeClock.set: ms is NaN');
    const id = ++this.seq;
    this.timers.set(id, { id, at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clear(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** Number of armed timers. */
  pending(): number {
    return this.timers.size;
  }

  /** When each armed timer is due, soonest first (absolute ms). */
  dueTimes(): number[] {
    return [...this.timers.values()].map((t) => t.at).sort((a, b) => a - b);
  }

  /** Moves time forward by ms, firing every timer that falls due on the way, including those set by the ones that fire. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance(${ms}): ms must be >= 0`);
    const target = this.time + ms;
    for (;;) {
      const t = this.soonest();
      if (t === undefined || t.at > target) break;
      this.timers.delete(t.id);
      this.time = t.at;
      t.fn();
    }
    this.time = target;
  }

  /** Moves to the next due timer and fires it (and any due at the same instant); returns the new time, or undefined when none is armed. */
  next(): number | undefined {
    const t = this.soonest();
    if (t === undefined) return undefined;
    this.advance(t.at - this.time);
    return this.time;
  }

  /** Fires timers until none is left; throws after `limit` rounds (a timer that re-arms forever). */
  runAll(limit = 10_000): void {
    for (let i = 0; i < limit; i++) if (this.next() === undefined) return;
    throw new Error(`FakeClock.runAll: still ${this.timers.size} timers after ${limit} rounds`);
  }

  private soonest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) if (best === undefined || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    return best;
  }
}
