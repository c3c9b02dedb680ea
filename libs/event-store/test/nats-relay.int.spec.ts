import { connect, JetStreamManager, NatsConnection } from 'nats';
import { Client } from 'pg';
import {
  createEventStore,
  decodeRelayedEvent,
  EventStore,
  migrateEventStore,
  readConsumerBacklog,
  RelayedEvent,
  RELAY_HEADERS,
  resetConsumer,
  startRelay,
  StreamVersionConflictError,
} from '../src';
import { appendInOpenTransaction, createTestDatabase, eventually, spawnFixture, testNatsUrl, uniqueName } from './support';

interface Stored {
  seq: number;
  subject: string;
  msgId: string | undefined;
  correlationId: string | undefined;
  event: RelayedEvent;
}

async function readStream(jsm: JetStreamManager, name: string): Promise<Stored[]> {
  const { state } = await jsm.streams.info(name);
  const out: Stored[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(name, { seq });
    out.push({ seq, subject: m.subject, msgId: m.header.get('Nats-Msg-Id'), correlationId: m.header.get(RELAY_HEADERS.correlationId), event: decodeRelayedEvent(m.data) });
  }
  return out;
}

async function checkpointedCountIn(db: Client, consumer: string): Promise<number> {
  const r = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM emt_messages m JOIN pbx_consumer_checkpoints c ON c.consumer_name = $1
      WHERE (m.transaction_id, m.global_position) <= (c.transaction_id, c.global_position)`,
    [consumer],
  );
  return Number(r.rows[0].n);
}

const messageCount = async (jsm: JetStreamManager, name: string): Promise<number> => (await jsm.streams.info(name)).state.messages;

describe('relay to NATS JetStream', () => {
  let url: string;
  let store: EventStore;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let db: Client;

  beforeAll(async () => {
    url = await createTestDatabase('es_relay');
    await migrateEventStore(url);
    store = createEventStore({ connectionString: url });
    nc = await connect({ servers: testNatsUrl() });
    jsm = await nc.jetstreamManager();
    db = new Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await nc.close();
    await store.close();
  });

  describe('in process', () => {
    const name = uniqueName('EVENTS');
    const prefix = `${uniqueName('t')}.evt.v1`;
    let relay: Awaited<ReturnType<typeof startRelay>>;

    beforeAll(async () => {
      relay = await startRelay({ connectionString: url, nats: nc, name, subjectPrefix: prefix, pollIntervalMs: 5, consumerName: `relay-${name}` });
    });
    afterAll(async () => {
      await relay.stop();
      await jsm.streams.delete(name);
    });

    it('creates the JetStream stream (FILE storage, <prefix>.>, 2 min duplicate window)', async () => {
      const { config } = await jsm.streams.info(name);
      expect(config).toMatchObject({ subjects: [`${prefix}.>`], storage: 'file', duplicate_window: 120_000_000_000 });
    });

    it('publishes on <prefix>.<category>.<type> with the event id as Nats-Msg-Id and the correlation id in a header', async () => {
      const { events } = await store.append('leg-p1', [{ type: 'LegCreated', data: { legId: 'p1' } }], { expectedVersion: 0, metadata: { correlationId: 'req-p1' } });
      await eventually('published', async () => (await messageCount(jsm, name)) === 1);
      const [m] = await readStream(jsm, name);
      expect(m).toMatchObject({ subject: `${prefix}.leg.LegCreated`, msgId: events[0].metadata.eventId, correlationId: 'req-p1' });
      expect(m.event).toMatchObject({ eventId: events[0].metadata.eventId, type: 'LegCreated', streamName: 'leg-p1', streamPosition: 1n, data: { legId: 'p1' } });
    });

    it('publishes nothing of an open transaction (nor what committed after it) until it commits', async () => {
      const before = await messageCount(jsm, name);
      const tx = new Client({ connectionString: url });
      await tx.connect();
      try {
        await tx.query('BEGIN');
        await appendInOpenTransaction(tx, 'leg-open', 'Held', {});
        await store.append('leg-after-open', [{ type: 'Committed', data: {} }], { expectedVersion: 0, metadata: { correlationId: 'r' } });
        const polls = relay.stats.polls;
        await eventually('three more polls of the relay', () => relay.stats.polls >= polls + 3);
        expect(await messageCount(jsm, name)).toBe(before);

        await tx.query('COMMIT');
        await eventually('both published', async () => (await messageCount(jsm, name)) === before + 2);
        const streams = (await readStream(jsm, name)).slice(before).map((m) => m.event.streamName);
        expect(streams).toEqual(['leg-open', 'leg-after-open']);
      } finally {
        await tx.end();
      }
    });

    it('publishes nothing of a rolled-back append or of an append refused for its version', async () => {
      const before = await messageCount(jsm, name);
      const tx = new Client({ connectionString: url });
      await tx.connect();
      await tx.query('BEGIN');
      await appendInOpenTransaction(tx, 'leg-rollback', 'Gone', {});
      await tx.query('ROLLBACK');
      await tx.end();
      await expect(store.append('leg-p1', [{ type: 'Refused', data: {} }], { expectedVersion: 0, metadata: { correlationId: 'r' } })).rejects.toBeInstanceOf(StreamVersionConflictError);
      await store.append('leg-marker', [{ type: 'Marker', data: {} }], { expectedVersion: 0, metadata: { correlationId: 'r' } });

      await eventually('the marker published', async () => (await readStream(jsm, name)).some((m) => m.event.streamName === 'leg-marker'));
      const after = (await readStream(jsm, name)).slice(before);
      expect(after.map((m) => m.event.type)).toEqual(['Marker']);
    });

    it('lets JetStream drop what a relay publishes again (same Nats-Msg-Id)', async () => {
      await eventually('relay caught up', async () => (await readConsumerBacklog(db, `relay-${name}`)) === 0);
      const count = await messageCount(jsm, name);
      await relay.stop();
      await resetConsumer(db, `relay-${name}`); // as if no checkpoint had ever been written
      relay = await startRelay({ connectionString: url, nats: nc, name, subjectPrefix: prefix, pollIntervalMs: 5, consumerName: `relay-${name}` });
      await eventually('everything re-published', () => relay.relayStats.published === count);
      expect(relay.relayStats.duplicates).toBe(count);
      expect(await messageCount(jsm, name)).toBe(count);
    });
  });

  it('with 8 concurrent writers and the relay SIGKILLed mid-stream, JetStream ends with every event exactly once, in stream order', async () => {
    const name = uniqueName('EVENTS');
    const prefix = `${uniqueName('t')}.evt.v1`;
    const env = { DATABASE_URL: url, NATS_URL: testNatsUrl(), STREAM_NAME: name, SUBJECT_PREFIX: prefix, BATCH_SIZE: '100', MAX_IN_FLIGHT: '32' };
    const checkpointedCount = (consumer: string) => checkpointedCountIn(db, consumer);
    const alreadyInStore = Number((await db.query('SELECT count(*) AS n FROM emt_messages')).rows[0].n);
    let stopWriting = false;

    // Each writer appends 1–4 events at a time to its own streams, and to one stream all share
    // (where appends conflict and are retried at the fresh version).
    const writer = async (w: number): Promise<number> => {
      const versions = new Map<string, bigint>();
      let appended = 0;
      for (let i = 0; i < 400 && !stopWriting; i++) {
        const stream = i % 5 === 4 ? 'call-shared' : `leg-w${w}s${i % 4}`;
        const batch = Array.from({ length: 1 + ((w + i) % 4) }, (_, k) => ({ type: 'Ticked', data: { w, i, k } }));
        for (;;) {
          try {
            const r = await store.append(stream, batch, { expectedVersion: versions.get(stream) ?? 0n, metadata: { correlationId: `w${w}-${i}` } });
            versions.set(stream, r.nextVersion);
            appended += batch.length;
            break;
          } catch (e) {
            if (!(e instanceof StreamVersionConflictError)) throw e;
            versions.set(stream, e.actualVersion);
          }
        }
      }
      return appended;
    };

    const first = spawnFixture('relay.ts', { ...env, HOLD_BEFORE_CHECKPOINT_AFTER: '150' });
    const writing = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    let second: ReturnType<typeof spawnFixture> | undefined;
    try {
      await first.waitForLine(/RUNNING/);
      // Kill it while a batch is published but not yet checkpointed, so the restart re-publishes:
      // the fixture holds in that window once 150 events are out.
      await first.waitForLine(/HOLDING/);
      await first.kill9();
      const atKill = await messageCount(jsm, name);
      const coveredAtKill = await checkpointedCount(`relay:${name}`);
      expect(coveredAtKill).toBeLessThan(atKill);

      second = spawnFixture('relay.ts', env);
      await second.waitForLine(/RUNNING/);
      await eventually('the second relay published 150 more', async () => (await messageCount(jsm, name)) >= atKill + 150, 30_000);
      stopWriting = true;
      const written = (await writing).reduce((a, b) => a + b, 0);
      const total = alreadyInStore + written;
      expect(atKill).toBeLessThan(total); // the kill happened mid-stream

      await eventually('every event in JetStream', async () => (await messageCount(jsm, name)) >= total, 30_000);
      await eventually('relay checkpoint at the end', async () => (await readConsumerBacklog(db, `relay:${name}`)) === 0);
      second.proc.child.kill('SIGTERM');
      const stopped = await second.waitForLine(/STOPPED published=(\d+) duplicates=(\d+)/);
      expect(Number(stopped[2])).toBeGreaterThanOrEqual(atKill - coveredAtKill); // re-published, dropped by JetStream

      const stored = await readStream(jsm, name);
      const ids = (await db.query<{ message_id: string }>('SELECT message_id FROM emt_messages')).rows.map((r) => r.message_id);
      expect(stored).toHaveLength(total);
      expect(new Set(stored.map((m) => m.msgId)).size).toBe(total); // exactly once
      expect(new Set(stored.map((m) => m.msgId))).toEqual(new Set(ids));
      expect(stored.every((m) => m.msgId === m.event.eventId)).toBe(true);

      // per store stream: positions 1, 2, 3, … in JetStream order
      const positions = new Map<string, bigint[]>();
      for (const m of stored) positions.set(m.event.streamName, [...(positions.get(m.event.streamName) ?? []), m.event.streamPosition]);
      for (const [stream, ps] of positions) {
        expect({ stream, ps }).toEqual({ stream, ps: ps.map((_, i) => BigInt(i + 1)) });
      }
      expect(positions.get('call-shared')?.length).toBeGreaterThan(8);
    } finally {
      stopWriting = true;
      await writing.catch(() => undefined);
      await first.kill9();
      await second?.kill9();
      await jsm.streams.delete(name).catch(() => undefined);
    }
  });
});
