import { NonceCountTracker } from './nonce-count.tracker';

describe('NonceCountTracker (RFC 7616 §3.4 nc, §5.5 replay)', () => {
  it('accepts a strictly increasing count per nonce, gaps included, and refuses the same or a lower one', () => {
    const t = new NonceCountTracker();
    expect(t.observe('n1', 1, 0)).toBe('ok');
    expect(t.observe('n1', 1, 0)).toBe('replay');
    expect(t.observe('n1', 2, 0)).toBe('ok');
    expect(t.observe('n1', 7, 0)).toBe('ok');
    expect(t.observe('n1', 5, 0)).toBe('replay');
    expect(t.observe('n2', 1, 0)).toBe('ok'); // each nonce counts on its own
  });

  it('keeps memory bounded whatever the number of nonces', () => {
    const t = new NonceCountTracker(100);
    for (let i = 0; i < 10_000; i++) {
      t.observe(`n${i}`, 1, i);
      expect(t.size).toBeLessThanOrEqual(100);
    }
    expect(t.size).toBe(100);
  });

  it('forgets the least recently used nonce first', () => {
    const t = new NonceCountTracker(2);
    t.observe('a', 1, 1);
    t.observe('b', 1, 2);
    t.observe('a', 2, 1); // a is now the most recently used
    t.observe('c', 1, 3); // evicts b
    expect(t.observe('a', 2, 1)).toBe('replay'); // still remembered
    expect(t.observe('b', 2, 2)).toBe('forgotten');
  });

  it('answers "forgotten" (not "ok") for an unknown nonce issued no later than one it forgot, so an evicted nonce cannot be replayed', () => {
    const t = new NonceCountTracker(1);
    t.observe('old', 1, 100);
    t.observe('new', 1, 200); // forgets "old", issued at 100
    expect(t.observe('old', 1, 100)).toBe('forgotten');
    expect(t.observe('never-seen-but-older', 1, 50)).toBe('forgotten');
    expect(t.observe('newer', 1, 300)).toBe('ok');
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new NonceCountTracker(0)).toThrow(RangeError);
    expect(() => new NonceCountTracker(1.5)).toThrow(RangeError);
  });
});
