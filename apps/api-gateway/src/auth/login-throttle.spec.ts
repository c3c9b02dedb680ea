import { LoginThrottle } from './login-throttle';

const minute = 60_000;

function throttle(o: { login?: number; address?: number; maxKeys?: number } = {}) {
  let now = 1_000_000;
  const t = new LoginThrottle({ login: { maxFailures: o.login ?? 5, windowMs: minute }, address: { maxFailures: o.address ?? 20, windowMs: minute } }, () => now, o.maxKeys);
  return { t, advance: (ms: number) => (now += ms) };
}

describe('login throttle', () => {
  it('allows 5 failures per login in a minute, refuses the 6th with the seconds until one leaves the window', () => {
    const { t, advance } = throttle();
    for (let i = 0; i < 5; i++) {
      expect(t.begin('admin', `10.0.0.${i}`).allowed).toBe(true);
      advance(1_000);
    }
    expect(t.begin('admin', '10.0.0.99')).toEqual({ allowed: false, retryAfterSeconds: 55 });
    advance(54_500);
    expect(t.begin('admin', '10.0.0.99')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    advance(500);
    expect(t.begin('admin', '10.0.0.99').allowed).toBe(true); // the first failure left the window
  });

  it('counts per address too, across logins', () => {
    const { t } = throttle({ address: 3 });
    expect(t.begin('a', '192.0.2.1').allowed).toBe(true);
    expect(t.begin('b', '192.0.2.1').allowed).toBe(true);
    expect(t.begin('c', '192.0.2.1').allowed).toBe(true);
    expect(t.begin('d', '192.0.2.1')).toMatchObject({ allowed: false });
    expect(t.begin('d', '192.0.2.2').allowed).toBe(true); // another address, and login d has no failure
  });

  it('counts an attempt from its start, so concurrent guesses cannot outrun the limit', () => {
    const { t } = throttle();
    const started = Array.from({ length: 50 }, () => t.begin('admin', '198.51.100.7'));
    expect(started.filter((d) => d.allowed)).toHaveLength(5);
  });

  it('forgives a login’s failures when it succeeds, and gives the address back only that attempt', () => {
    const { t } = throttle({ login: 5, address: 5 });
    for (let i = 0; i < 4; i++) t.begin('admin', '203.0.113.5');
    const ok = t.begin('admin', '203.0.113.5');
    if (!ok.allowed) throw new Error('expected allowed');
    t.succeeded(ok.attempt);
    // Login admin starts afresh; the address still has its 4 failures: one more attempt, then no.
    expect(t.begin('admin', '203.0.113.5').allowed).toBe(true);
    expect(t.begin('admin', '203.0.113.5')).toMatchObject({ allowed: false });
    expect(t.begin('admin', '203.0.113.6').allowed).toBe(true);
  });

  it('does not extend a block with refused attempts', () => {
    const { t, advance } = throttle({ login: 1 });
    t.begin('u', 'x');
    for (let i = 0; i < 10; i++) {
      advance(5_000);
      expect(t.begin('u', 'x').allowed).toBe(false);
    }
    advance(10_000);
    expect(t.begin('u', 'x').allowed).toBe(true);
  });

  it('keeps memory bounded under a flood of addresses', () => {
    const { t, advance } = throttle({ maxKeys: 100 });
    for (let i = 0; i < 1_000; i++) {
      t.begin(`user${i}`, `addr${i}`);
      advance(1);
    }
    expect(t.size).toBeLessThanOrEqual(100);
  });
});
