import { Client, types } from 'pg';
import { DomainError, type Decider } from '@pbx/domain-kernel';
import {
  createEventStore,
  EventStore,
  EventUpcasters,
  handleCommand,
  InvalidEventTypeError,
  InvalidStreamNameError,
  migrateEventStore,
  StreamVersionConflictError,
} from '../src';
import { createTestDatabase } from './support';

type LegEvent =
  | { type: 'LegCreated'; data: { legId: string; from: string } }
  | { type: 'LegAnswered'; data: { legId: string; answeredAt: string; codec: string } };

const fixedClock = () => new Date('2025-01-02T03:04:05.678Z');
const sequentialIds = () => {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
};

describe('event store (Emmett on PostgreSQL)', () => {
  let url: string;
  let store: EventStore;

  beforeAll(async () => {
    url = await createTestDatabase('es_store');
    await migrateEventStore(url);
    store = createEventStore({ connectionString: url, clock: fixedClock, newEventId: sequentialIds() });
  });
  afterAll(() => store.close());

  it('migrates idempotently, also when several processes migrate at once', async () => {
    await migrateEventStore(url);
    await Promise.all([migrateEventStore(url), migrateEventStore(url), migrateEventStore(url)]);
    const c = new Client({ connectionString: url });
    await c.connect();
    const r = await c.query(`SELECT to_regclass('emt_messages') AS m, to_regclass('pbx_consumer_checkpoints') AS c`);
    await c.end();
    expect(r.rows[0]).toEqual({ m: 'emt_messages', c: 'pbx_consumer_checkpoints' });
  });

  it('appends with metadata from the injected clock and id generator, and reads the stream back with its version', async () => {
    const events: LegEvent[] = [
      { type: 'LegCreated', data: { legId: 'a1', from: '+81312345678' } },
      { type: 'LegAnswered', data: { legId: 'a1', answeredAt: 'T1', codec: 'PCMU' } },
    ];
    const appended = await store.append('leg-a1', events, { expectedVersion: 0, metadata: { correlationId: 'req-1', causationId: 'cmd-1' } });
    expect(appended.nextVersion).toBe(2n);
    expect(appended.events.map((e) => [e.streamPosition, e.metadata.eventId])).toEqual([
      [1n, '00000000-0000-4000-8000-000000000001'],
      [2n, '00000000-0000-4000-8000-000000000002'],
    ]);

    const read = await store.readStream<LegEvent>('leg-a1');
    expect(read.events).toEqual(appended.events); // append returns the events exactly as stored
    expect(read.version).toBe(2n);
    expect(read.events).toHaveLength(2);
    expect(read.events[1]).toEqual({
      type: 'LegAnswered',
      data: { legId: 'a1', answeredAt: 'T1', codec: 'PCMU' },
      streamName: 'leg-a1',
      streamPosition: 2n,
      globalPosition: appended.events[1].globalPosition,
      metadata: {
        eventId: '00000000-0000-4000-8000-000000000002',
        correlationId: 'req-1',
        causationId: 'cmd-1',
        schemaVersion: 1,
        occurredAt: '2025-01-02T03:04:05.678Z',
      },
    });
  });

  it('uses the correlation id as causation id when none is given, and reads a missing stream as version 0', async () => {
    await store.append('leg-a2', [{ type: 'LegCreated', data: { legId: 'a2', from: 'x' } }], { expectedVersion: 0, metadata: { correlationId: 'req-2' } });
    expect((await store.readStream('leg-a2')).events[0].metadata.causationId).toBe('req-2');
    expect(await store.readStream('leg-nothing-here')).toEqual({ events: [], version: 0n });
  });

  it('refuses a stale expected version with a typed error naming the stream, expected and actual versions', async () => {
    await store.append('leg-c1', [{ type: 'LegCreated', data: { legId: 'c1', from: 'x' } }], { expectedVersion: 0, metadata: { correlationId: 'r' } });
    await store.append('leg-c1', [{ type: 'LegAnswered', data: { legId: 'c1', answeredAt: 'T', codec: 'PCMU' } }], { expectedVersion: 1, metadata: { correlationId: 'r' } });

    const stale = store.append('leg-c1', [{ type: 'LegAnswered', data: { legId: 'c1', answeredAt: 'T', codec: 'PCMU' } }], { expectedVersion: 1, metadata: { correlationId: 'r' } });
    await expect(stale).rejects.toBeInstanceOf(StreamVersionConflictError);
    await expect(stale).rejects.toMatchObject({ code: 'EVENT_STORE.VERSION_CONFLICT', stream: 'leg-c1', expectedVersion: 1n, actualVersion: 2n });

    // "must not exist yet" on an existing stream is a conflict too
    await expect(store.append('leg-c1', [{ type: 'LegCreated', data: { legId: 'c1', from: 'x' } }], { expectedVersion: 0, metadata: { correlationId: 'r' } })).rejects.toMatchObject({
      expectedVersion: 0n,
      actualVersion: 2n,
    });
    expect((await store.readStream('leg-c1')).version).toBe(2n);
  });

  it('lets exactly one of many concurrent appends at the same version win', async () => {
    await store.append('leg-race', [{ type: 'LegCreated', data: { legId: 'race', from: 'x' } }], { expectedVersion: 0, metadata: { correlationId: 'r' } });
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        store.append('leg-race', [{ type: 'LegAnswered', data: { legId: 'race', answeredAt: `T${i}`, codec: 'PCMU' } }], { expectedVersion: 1, metadata: { correlationId: 'r' } }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect(attempts.filter((a) => a.status === 'rejected' && a.reason instanceof StreamVersionConflictError)).toHaveLength(7);
    expect((await store.readStream('leg-race')).version).toBe(2n);
  });

  it('rejects stream names and event types that cannot become subject tokens, before writing', async () => {
    await expect(store.append('leg', [{ type: 'LegCreated', data: {} }], { expectedVersion: 0, metadata: { correlationId: 'r' } })).rejects.toBeInstanceOf(InvalidStreamNameError);
    await expect(store.append('leg-bad1', [{ type: 'Leg.Created', data: {} }], { expectedVersion: 0, metadata: { correlationId: 'r' } })).rejects.toBeInstanceOf(InvalidEventTypeError);
    expect((await store.readStream('leg-bad1')).version).toBe(0n);
  });

  it('upcasts old shapes on read, and stamps new appends with the newest schema version', async () => {
    // v1 LegAnswered had no codec; v2 added it.
    await store.append('leg-u1', [{ type: 'LegAnswered', data: { legId: 'u1', answeredAt: 'T' } }], { expectedVersion: 0, metadata: { correlationId: 'r' } });
    const upcasters = new EventUpcasters().register('LegAnswered', 1, (d) => ({ ...(d as object), codec: 'PCMU' }));
    const v2store = createEventStore({ connectionString: url, upcasters });
    try {
      await v2store.append('leg-u1', [{ type: 'LegAnswered', data: { legId: 'u1', answeredAt: 'T2', codec: 'opus' } }], { expectedVersion: 1, metadata: { correlationId: 'r' } });
      const read = await v2store.readStream<LegEvent>('leg-u1');
      expect(read.events.map((e) => [e.data, e.metadata.schemaVersion])).toEqual([
        [{ legId: 'u1', answeredAt: 'T', codec: 'PCMU' }, 2],
        [{ legId: 'u1', answeredAt: 'T2', codec: 'opus' }, 2],
      ]);
    } finally {
      await v2store.close();
    }
  });

  it("keeps event data exactly as written (Emmett's driver would turn long numeric strings into BigInt) and leaves pg's global parsers alone", async () => {
    const iccid = '8981100022223333444'; // 19 digits, kept as a string
    await store.append('leg-iccid', [{ type: 'LegCreated', data: { legId: 'iccid', from: iccid, big: 12345678901234567890 } }], { expectedVersion: 0, metadata: { correlationId: 'r' } });
    const [e] = (await store.readStream('leg-iccid')).events;
    expect(e.data).toEqual({ legId: 'iccid', from: iccid, big: 12345678901234567890 });
    expect(types.getTypeParser(20, 'text')('42')).toBe('42');
  });
});

// A counter of answered legs with a ceiling: small enough to see every branch of handleCommand.
type Cmd = { type: 'Answer'; legId: string };
type Evt = { type: 'Answered'; data: { legId: string } };
const answers: Decider<Cmd, Evt, { answered: string[] }> = {
  initialState: () => ({ answered: [] }),
  evolve: (s, e) => ({ answered: [...s.answered, e.data.legId] }),
  decide: (c, s) => {
    if (s.answered.includes(c.legId)) return []; // a retry: stay quiet
    if (s.answered.length >= 3) throw new DomainError('CALL.TOO_MANY_ANSWERS');
    return [{ type: 'Answered', data: { legId: c.legId } }];
  },
};

describe('handleCommand', () => {
  let url: string;
  let store: EventStore;

  beforeAll(async () => {
    url = await createTestDatabase('es_cmd');
    await migrateEventStore(url);
    store = createEventStore({ connectionString: url });
  });
  afterAll(() => store.close());

  it('loads, decides and appends at the version it read, with the given metadata', async () => {
    const r = await handleCommand(store, 'call-h1', answers, { type: 'Answer', legId: 'l1' }, { metadata: { correlationId: 'req-9' } });
    expect(r).toMatchObject({ version: 1n, state: { answered: ['l1'] }, attempts: 1 });
    expect(r.newEvents.map((e) => [e.type, e.data, e.metadata.correlationId])).toEqual([['Answered', { legId: 'l1' }, 'req-9']]);
    const r2 = await handleCommand(store, 'call-h1', answers, { type: 'Answer', legId: 'l2' }, { metadata: { correlationId: 'req-10' } });
    expect(r2).toMatchObject({ version: 2n, state: { answered: ['l1', 'l2'] } });
  });

  it('appends nothing when the decider stays quiet', async () => {
    const r = await handleCommand(store, 'call-h1', answers, { type: 'Answer', legId: 'l1' }, { metadata: { correlationId: 'req-11' } });
    expect(r).toMatchObject({ newEvents: [], version: 2n });
    expect((await store.readStream('call-h1')).version).toBe(2n);
  });

  it('throws the DomainError and appends nothing when the decider says no', async () => {
    await handleCommand(store, 'call-h2', answers, { type: 'Answer', legId: 'a' }, { metadata: { correlationId: 'r' } });
    await handleCommand(store, 'call-h2', answers, { type: 'Answer', legId: 'b' }, { metadata: { correlationId: 'r' } });
    await handleCommand(store, 'call-h2', answers, { type: 'Answer', legId: 'c' }, { metadata: { correlationId: 'r' } });
    await expect(handleCommand(store, 'call-h2', answers, { type: 'Answer', legId: 'd' }, { metadata: { correlationId: 'r' } })).rejects.toMatchObject({
      code: 'CALL.TOO_MANY_ANSWERS',
    });
    expect((await store.readStream('call-h2')).version).toBe(3n);
  });

  it('decides again on the fresh stream when another writer appended between its read and its append', async () => {
    // A real store whose reads let a competing writer in right after them, `interleave` times.
    const racing = (interleave: number): EventStore => ({
      ...store,
      append: (s, e, o) => store.append(s, e, o),
      readStream: async <E extends { type: string; data: unknown }>(s: string) => {
        const read = await store.readStream<E>(s);
        if (interleave-- > 0) await store.append(s, [{ type: 'Answered', data: { legId: `other-${interleave}` } }], { expectedVersion: read.version, metadata: { correlationId: 'other' } });
        return read;
      },
    });
    const r = await handleCommand(racing(1), 'call-h3', answers, { type: 'Answer', legId: 'mine' }, { metadata: { correlationId: 'r' } });
    expect(r).toMatchObject({ attempts: 2, version: 2n, state: { answered: ['other-0', 'mine'] } });

    // bounded: it gives up with the conflict after maxAttempts
    await expect(handleCommand(racing(5), 'call-h4', answers, { type: 'Answer', legId: 'mine' }, { metadata: { correlationId: 'r' }, maxAttempts: 2 })).rejects.toBeInstanceOf(
      StreamVersionConflictError,
    );
  });

  it('retries concurrent commands on one stream until each lands once', async () => {
    const results = await Promise.all(
      ['x', 'y', 'z'].map((legId) => handleCommand(store, 'call-h5', answers, { type: 'Answer', legId }, { metadata: { correlationId: legId }, maxAttempts: 10 })),
    );
    expect(results.map((r) => r.newEvents.length)).toEqual([1, 1, 1]);
    const read = await store.readStream<Evt>('call-h5');
    expect(read.events.map((e) => e.data.legId).sort()).toEqual(['x', 'y', 'z']);
  });
});
