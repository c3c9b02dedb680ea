// Login rate limit: at most `maxFailures` failed logins per login name and per client address
// in a sliding window. Pure (clock injected) and in memory per gateway instance.
//
// An attempt counts as a failure from the moment it starts, and is taken back when it
// succeeds. Otherwise a burst of concurrent guesses would all pass the check while the first
// ones are still being verified (scrypt takes ~100 ms), and the limit would not limit.

export interface ThrottleRule {
  maxFailures: number;
  windowMs: number;
}

export type ThrottleDecision = { allowed: true; attempt: Attempt } | { allowed: false; retryAfterSeconds: number };

export interface Attempt {
  readonly keys: readonly string[];
  readonly at: number;
}

export class LoginThrottle {
  /** key → start times of failed (or in-flight) attempts in the window, oldest first. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly rules: { login: ThrottleRule; address: ThrottleRule },
    private readonly clock: () => number,
    /** Keys kept at most; beyond it expired ones go first, then the oldest (a flood of addresses cannot grow memory). */
    private readonly maxKeys = 100_000,
  ) {}

  /** Starts an attempt (counted as a failure until `succeeded`), or refuses it with the seconds until the oldest counted failure leaves the window. */
  begin(login: string, address: string): ThrottleDecision {
    const now = this.clock();
    const checks: [string, ThrottleRule][] = [
      [`login:${login}`, this.rules.login],
      [`addr:${address}`, this.rules.address],
    ];
    let waitMs = 0;
    for (const [key, rule] of checks) {
      const live = this.live(key, rule, now);
      if (live.length >= rule.maxFailures) waitMs = Math.max(waitMs, live[live.length - rule.maxFailures] + rule.windowMs - now);
    }
    if (waitMs > 0) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    for (const [key] of checks) this.push(key, now);
    return { allowed: true, attempt: { keys: checks.map(([k]) => k), at: now } };
  }

  /** The attempt succeeded: the login's failures are forgiven; the address only gets this attempt back. */
  succeeded(attempt: Attempt): void {
    const [loginKey, addressKey] = attempt.keys;
    this.failures.delete(loginKey);
    const list = this.failures.get(addressKey);
    if (!list) return;
    const i = list.lastIndexOf(attempt.at);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.failures.delete(addressKey);
  }

  /** Number of keys held (for tests and metrics). */
  get size(): number {
    return this.failures.size;
  }

  private live(key: string, rule: ThrottleRule, now: number): number[] {
    const list = this.failures.get(key);
    if (!list) return [];
    while (list.length > 0 && list[0] + rule.windowMs <= now) list.shift();
    if (list.length === 0) this.failures.delete(key);
    return list;
  }

  private push(key: string, now: number): void {
    const list = this.failures.get(key);
    if (list) {
      list.push(now);
      // Only the newest maxFailures matter for the decision.
      const max = key.startsWith('login:') ? this.rules.login.maxFailures : this.rules.address.maxFailures;
      if (list.length > max) list.splice(0, list.length - max);
      return;
    }
    if (this.failures.size >= this.maxKeys) this.evict(now);
    this.failures.set(key, [now]);
  }

  private evict(now: number): void {
    const longest = Math.max(this.rules.login.windowMs, this.rules.address.windowMs);
    for (const [key, list] of this.failures) if (list.length === 0 || list[list.length - 1] + longest <= now) this.failures.delete(key);
    while (this.failures.size >= this.maxKeys) {
      const oldest = this.failures.keys().next();
      if (oldest.done) break;
      this.failures.delete(oldest.value);
    }
  }
}
