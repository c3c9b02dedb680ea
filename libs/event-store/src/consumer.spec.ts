import { compareConsumerPositions, START_OF_LOG } from './consumer';

describe('commit-order positions', () => {
  it('orders by transaction id first, then global position', () => {
    expect(compareConsumerPositions({ transactionId: '10', globalPosition: 1n }, { transactionId: '9', globalPosition: 500n })).toBeGreaterThan(0);
    expect(compareConsumerPositions({ transactionId: '9', globalPosition: 7n }, { transactionId: '9', globalPosition: 8n })).toBeLessThan(0);
    expect(compareConsumerPositions({ transactionId: '9', globalPosition: 8n }, { transactionId: '9', globalPosition: 8n })).toBe(0);
  });

  it('compares transaction ids as numbers, not as text ("9" < "10")', () => {
    expect(compareConsumerPositions({ transactionId: '9', globalPosition: 0n }, { transactionId: '10', globalPosition: 0n })).toBeLessThan(0);
    expect(compareConsumerPositions({ transactionId: '18446744073709551615', globalPosition: 0n }, { transactionId: '18446744073709551614', globalPosition: 0n })).toBeGreaterThan(0);
  });

  it('starts before every event', () => {
    expect(compareConsumerPositions(START_OF_LOG, { transactionId: '3', globalPosition: 1n })).toBeLessThan(0);
  });
});
