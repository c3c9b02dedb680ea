import { EventUpcasters, UpcasterRegistrationError } from './upcasters';

// LegAnswered grew a codec (v2), then `at` was renamed answeredAt (v3).
const upcasters = () =>
  new EventUpcasters()
    .register('LegAnswered', 1, (d) => ({ ...(d as object), codec: 'PCMU' }))
    .register('LegAnswered', 2, (d) => {
      const { at, ...rest } = d as { at: string };
      return { ...rest, answeredAt: at };
    });

describe('upcaster chain', () => {
  it('applies every step from the stored version to the newest, in order', () => {
    expect(upcasters().upcast({ type: 'LegAnswered', data: { at: 'T' }, schemaVersion: 1 })).toEqual({
      data: { codec: 'PCMU', answeredAt: 'T' },
      schemaVersion: 3,
    });
  });

  it('starts from the stored version (a v2 event only takes the 2 → 3 step)', () => {
    expect(upcasters().upcast({ type: 'LegAnswered', data: { at: 'T', codec: 'opus' }, schemaVersion: 2 })).toEqual({
      data: { codec: 'opus', answeredAt: 'T' },
      schemaVersion: 3,
    });
  });

  it('leaves the newest version, unknown types and versions from the future untouched', () => {
    const u = upcasters();
    expect(u.upcast({ type: 'LegAnswered', data: { answeredAt: 'T' }, schemaVersion: 3 })).toEqual({ data: { answeredAt: 'T' }, schemaVersion: 3 });
    expect(u.upcast({ type: 'LegHungUp', data: { x: 1 }, schemaVersion: 1 })).toEqual({ data: { x: 1 }, schemaVersion: 1 });
    expect(u.upcast({ type: 'LegAnswered', data: { y: 1 }, schemaVersion: 7 })).toEqual({ data: { y: 1 }, schemaVersion: 7 });
  });

  it('tells writers the newest version of each type', () => {
    expect(upcasters().currentVersion('LegAnswered')).toBe(3);
    expect(upcasters().currentVersion('LegHungUp')).toBe(1);
  });

  it('refuses a gap or a duplicate step', () => {
    expect(() => new EventUpcasters().register('A', 2, (d) => d)).toThrow(UpcasterRegistrationError);
    expect(() => new EventUpcasters().register('A', 1, (d) => d).register('A', 1, (d) => d)).toThrow(/expected the step from version 2/);
  });
});
