import { bestFailure, causeOfStatus } from './end-cause';

describe('end causes and the status relayed after every fork failed', () => {
  it.each([
    [486, 'busy'],
    [600, 'busy'],
    [480, 'no-answer'],
    [408, 'no-answer'],
    [487, 'cancelled'],
    [603, 'rejected'],
    [404, 'failed'],
    [503, 'failed'],
  ])('status %i ends the leg as %s', (status, cause) => {
    expect(causeOfStatus(status)).toBe(cause);
  });

  it.each([
    [[486, 480], 486],
    [[503, 404], 404],
    [[500, 503], 500],
    [[404, 480], 480],
    [[408], 480],
    [[603, 486], 486],
    [[603, 404], 603],
    [[], 480],
  ])('after %j the caller hears %i', (statuses, expected) => {
    expect(bestFailure(statuses)).toBe(expected);
  });
});
