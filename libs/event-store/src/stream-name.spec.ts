import { categoryOf, eventSubject, InvalidEventTypeError, InvalidStreamNameError, parseStreamName, streamName } from './stream-name';

describe('stream names', () => {
  it('splits <category>-<id> at the first dash', () => {
    expect(parseStreamName('leg-7f3a9c2e-1b4d-4c8e-9a51-0c3f2b1d7e6a')).toEqual({ category: 'leg', id: '7f3a9c2e-1b4d-4c8e-9a51-0c3f2b1d7e6a' });
    expect(categoryOf('call-42')).toBe('call');
  });

  it('keeps compound categories whole and splits the others at the first dash', () => {
    // Compound categories (ARCHITECTURE.md: callback-request-<id>, search-job-<id>) keep their whole name,
    // so they never share subjects with `callback-<id>`.
    expect(parseStreamName('callback-request-9f1c-22')).toEqual({ category: 'callback-request', id: '9f1c-22' });
    expect(parseStreamName('callback-9f1c-22')).toEqual({ category: 'callback', id: '9f1c-22' });
    expect(streamName('search-job', 'a-b')).toBe('search-job-a-b');
    expect(eventSubject('channel-pool-tokyo-1', 'ChannelReserved')).toBe('evt.v1.channel-pool.ChannelReserved');
  });

  it.each([
    ['no dash', 'leg'],
    ['an empty category', '-abc'],
    ['an empty id', 'leg-'],
    ['a dot in the category (it would split the subject)', 'le.g-1'],
    ['a wildcard in the category', 'leg*-1'],
    ['whitespace in the id', 'leg-a b'],
  ])('rejects a name with %s', (_what, name) => {
    expect(() => parseStreamName(name)).toThrow(InvalidStreamNameError);
  });

  it('builds names and refuses a category that would parse differently', () => {
    expect(streamName('leg', 'abc')).toBe('leg-abc');
    expect(streamName('callback-request', '1')).toBe('callback-request-1');
    expect(() => streamName('call-back', '1')).toThrow(/must not contain "-"/); // not a listed compound category
  });

  it('maps an event to evt.v1.<category>.<type>', () => {
    expect(eventSubject('leg-1', 'LegAnswered')).toBe('evt.v1.leg.LegAnswered');
    expect(eventSubject('search-job-1', 'SearchRequested', 't1.evt.v1')).toBe('t1.evt.v1.search-job.SearchRequested');
  });

  it('refuses event types that are not a single subject token', () => {
    expect(() => eventSubject('leg-1', 'Leg.Answered')).toThrow(InvalidEventTypeError);
    expect(() => eventSubject('leg-1', '>')).toThrow(InvalidEventTypeError);
    expect(() => eventSubject('leg-1', '')).toThrow(InvalidEventTypeError);
  });
});
