// Timer values (RFC 3261 §17.1.1.1 Table 4, RFC 6026 §8.4) and the default timer host.

import type { TimerHost, TransactionTimers } from './transaction.types';

export const DEFAULT_TIMERS: Readonly<Required<TransactionTimers>> = Object.freeze({ T1: 500, T2: 4000, T4: 5000, C: 180_000 });

/** Interval of 100 Trying when the TU has not answered an INVITE (§17.2.1: "200 ms"). */
export const TRYING_DELAY_MS = 200;

/** Every timer duration the four machines use, worked out once per layer. */
export interface TimerValues {
  readonly T1: number;
  readonly T2: number;
  readonly T4: number;
  /** B, F, H, J (unreliable), L, M and the wait for a final after CANCEL (§9.1). */
  readonly x64T1: number;
  /** Timer C; 0 = off. */
  readonly C: number;
  /** Timer D on unreliable transports: "at least 32 seconds" (Table 4); 64*T1 when T1 is raised above 500 ms, so it still covers the server's Timer H. */
  readonly D: number;
}

export function timerValues(t: Partial<TransactionTimers> | undefined): TimerValues {
  const T1 = positive('T1', t?.T1 ?? DEFAULT_TIMERS.T1);
  const T2 = positive('T2', t?.T2 ?? DEFAULT_TIMERS.T2);
  const T4 = positive('T4', t?.T4 ?? DEFAULT_TIMERS.T4);
  const C = t?.C ?? DEFAULT_TIMERS.C;
  if (!Number.isFinite(C) || C < 0) throw new RangeError(`SIP timer C must be 0 (off) or a positive number of ms, got ${C}`);
  if (T2 < T1) throw new RangeError(`SIP timer T2 (${T2} ms) must not be below T1 (${T1} ms)`);
  return { T1, T2, T4, x64T1: 64 * T1, C, D: Math.max(32_000, 64 * T1) };
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`SIP timer ${name} must be a positive number of ms, got ${v}`);
  return v;
}

/** setTimeout/clearTimeout, unref'd so that pending SIP timers never keep a process alive. */
export const realTimerHost: TimerHost = {
  set(ms: number, fn: () => void): unknown {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
