import { Client } from 'pg';
import {
  compareConsumerPositions,
  ConsumedEvent,
  createEventStore,
  EventStore,
  migrateEventStore,
  readConsumerBacklog,
  readConsumerCheckpoint,
  readStoreHead,
  resetConsumer,
  startConsumer,
} from '../src';
import { appendInOpenTransaction, createTestDatabase, eventually, spawnFixture } from './support';

const meta = { correlationId: 'req-consumer-test' };

async function appendMany(store: EventStore, streams: number, perStream: number, prefix: string): Promise<number> {
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      let version = 0n;
      for (let i = 0; i < perStream; i++) {
        version = (await store.append(`leg-${prefix}${s}`, [{ type: 'Ticked', data: { i } }], { expectedVersion: version, metadata: meta })).nextVersion;
      }
    }),
  );
  return streams * perStream;
}

describe('checkpointed consumers', () => {
  let url: string;
  let store: EventStore;
  let db: Client;

  beforeAll(async () => {
    url = await createTestDatabase('es_consumer');
    await migrateEventStore(url);
    store = createEventStore({ connectionString: url });
    db = new Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await store.close();
  });

  describe('reading below the snapshot horizon', () => {
    const handled: ConsumedEvent[] = [];
    let consumer: ReturnType<typeof startConsumer>;
    const seen = (stream: string) => handled.some((e) => e.streamName === stream);

    beforeAll(() => {
      consumer = startConsumer({ name: 'horizon', connectionString: url, batchSize: 50, pollIntervalMs: 5, handle: async (events) => void handled.push(...events) });
    });
    afterAll(() => consumer.stop());

    it('delivers nothing of an open transaction, and nothing committed after it, until it commits; then both, in commit order', async () => {
      const tx = new Client({ connectionString: url });
      await tx.connect();
      try {
        await tx.query('BEGIN');
        await appendInOpenTransaction(tx, 'leg-open1', 'Held', { n: 1 });
        await store.append('leg-later1', [{ type: 'Committed', data: {} }], { expectedVersion: 0, metadata: meta });

        const polls = consumer.stats.polls;
        await eventually('three more polls of the consumer', () => consumer.stats.polls >= polls + 3);
        expect(seen('leg-open1')).toBe(false);
        expect(seen('leg-later1')).toBe(false); // committed, but above the horizon the open transaction holds

        await tx.query('COMMIT');
        await eventually('both events handled', () => seen('leg-open1') && seen('leg-later1'));
        const order = handled.map((e) => e.streamName).filter((s) => s === 'leg-open1' || s === 'leg-later1');
        expect(order).toEqual(['leg-open1', 'leg-later1']);
      } finally {
        await tx.end();
      }
    });

    it('never delivers a rolled-back append', async () => {
      const tx = new Client({ connectionString: url });
      await tx.connect();
      await tx.query('BEGIN');
      await appendInOpenTransaction(tx, 'leg-rolledback', 'Gone', {});
      await tx.query('ROLLBACK');
      await tx.end();
      await store.append('leg-after-rollback', [{ type: 'Committed', data: {} }], { expectedVersion: 0, metadata: meta });
      await eventually('the append after the rollback', () => seen('leg-after-rollback'));
      expect(seen('leg-rolledback')).toBe(false);
    });

    it('does not skip a transaction that took a LOWER global position but committed after one already handled', async () => {
      // A takes its transaction id first; B takes a later id, appends (lower position) and stays open;
      // A appends (higher position) and commits. A is below the horizon and gets handled; B comes later.
      const a = new Client({ connectionString: url });
      const b = new Client({ connectionString: url });
      await Promise.all([a.connect(), b.connect()]);
      try {
        await a.query('BEGIN');
        await a.query('SELECT pg_current_xact_id()');
        await b.query('BEGIN');
        await appendInOpenTransaction(b, 'leg-race-b', 'LowerPosition', {});
        await appendInOpenTransaction(a, 'leg-race-a', 'HigherPosition', {});
        await a.query('COMMIT');
        await eventually('A handled while B is open', () => seen('leg-race-a'));
        expect(seen('leg-race-b')).toBe(false);

        await b.query('COMMIT');
        await eventually('B handled after its commit', () => seen('leg-race-b'));
        const ea = handled.find((e) => e.streamName === 'leg-race-a')!;
        const eb = handled.find((e) => e.streamName === 'leg-race-b')!;
        expect(eb.globalPosition).toBeLessThan(ea.globalPosition); // the case a position-only checkpoint loses
        expect(compareConsumerPositions(ea.position, eb.position)).toBeLessThan(0);
      } finally {
        await Promise.all([a.end(), b.end()]);
      }
    });
  });

  it('runs one instance per name: a second one waits for the lock and takes over from the checkpoint', async () => {
    await db.query('CREATE TABLE rm_single (event_id text, consumer text)');
    await appendMany(store, 4, 5, 'single');
    const handler = (label: string) => async (events: ConsumedEvent[], tx: { query: Client['query'] }) => {
      for (const e of events) await tx.query('INSERT INTO rm_single VALUES ($1, $2)', [e.metadata.eventId, label]);
    };
    const first = startConsumer({ name: 'single', connectionString: url, batchSize: 7, pollIntervalMs: 5, handle: handler('first') });
    await eventually('first running', () => first.state === 'running');
    const second = startConsumer({ name: 'single', connectionString: url, batchSize: 7, pollIntervalMs: 5, handle: handler('second') });
    try {
      await eventually('second waiting for the lock', () => second.state === 'waiting-for-lock');
      await eventually('first caught up', async () => (await readConsumerBacklog(db, 'single')) === 0);
      expect(second.stats.batches).toBe(0);

      await first.stop();
      expect(first.state).toBe('stopped');
      await eventually('second running', () => second.state === 'running');
      await appendMany(store, 2, 3, 'single-more');
      await eventually('second caught up', async () => (await readConsumerBacklog(db, 'single')) === 0);
      expect(compareConsumerPositions(second.position, await readStoreHead(db))).toBeGreaterThanOrEqual(0);
      const r = await db.query('SELECT consumer, count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM rm_single GROUP BY consumer ORDER BY consumer');
      const total = Number((await db.query('SELECT count(*) AS n FROM emt_messages')).rows[0].n);
      expect(r.rows.reduce((s: number, row: { n: number }) => s + row.n, 0)).toBe(total);
      expect(r.rows.find((row: { consumer: string }) => row.consumer === 'second')?.n).toBeGreaterThanOrEqual(6);
      const dup = await db.query('SELECT event_id FROM rm_single GROUP BY event_id HAVING count(*) > 1');
      expect(dup.rows).toEqual([]);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('rebuilds: emptying the read model and resetting the checkpoint in one transaction replays the log once more, while running', async () => {
    await db.query('CREATE TABLE rm_rebuild (event_id text NOT NULL)');
    await appendMany(store, 3, 4, 'rebuild');
    const consumer = startConsumer({
      name: 'rebuild',
      connectionString: url,
      batchSize: 5,
      pollIntervalMs: 5,
      maxRetryDelayMs: 100,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      handle: async (events, tx) => {
        for (const e of events) await tx.query('INSERT INTO rm_rebuild VALUES ($1)', [e.metadata.eventId]);
      },
    });
    try {
      const total = async () => Number((await db.query('SELECT count(*) AS n FROM emt_messages')).rows[0].n);
      const rows = async () => Number((await db.query('SELECT count(*) AS n FROM rm_rebuild')).rows[0].n);
      await eventually('first pass', async () => (await readConsumerBacklog(db, 'rebuild')) === 0 && (await rows()) === (await total()));

      await db.query('BEGIN');
      await db.query('TRUNCATE rm_rebuild');
      await resetConsumer(db, 'rebuild');
      await db.query('COMMIT');
      await appendMany(store, 1, 3, 'rebuild-after'); // gives the running consumer a batch to notice the reset with

      await eventually('second pass', async () => (await readConsumerBacklog(db, 'rebuild')) === 0 && (await rows()) === (await total()));
      const dup = await db.query('SELECT event_id FROM rm_rebuild GROUP BY event_id HAVING count(*) > 1');
      expect(dup.rows).toEqual([]);
      expect(consumer.stats.errors).toBeGreaterThanOrEqual(1); // the batch that found the checkpoint reset was rolled back
    } finally {
      await consumer.stop();
    }
  });

  it('stops while waiting for its lock without ever taking it', async () => {
    const holder = startConsumer({ name: 'lock-wait', connectionString: url, handle: async () => undefined, pollIntervalMs: 5 });
    await eventually('holder running', () => holder.state === 'running');
    const waiter = startConsumer({ name: 'lock-wait', connectionString: url, handle: async () => undefined });
    try {
      await eventually('waiter waiting', () => waiter.state === 'waiting-for-lock');
      await waiter.stop();
      expect(waiter.state).toBe('stopped');
      expect(holder.state).toBe('running');
    } finally {
      await Promise.all([waiter.stop(), holder.stop()]);
    }
  });

  it('after a SIGKILL in the middle of a batch, a restarted consumer ends with exactly one read-model row per event', async () => {
    await db.query('CREATE TABLE rm_rows (id bigserial PRIMARY KEY, event_id text NOT NULL, stream text, stream_position bigint, global_position bigint)');
    const name = 'slow-read-model';
    const env = { DATABASE_URL: url, CONSUMER_NAME: name, ROW_DELAY_MS: '8', BATCH_SIZE: '10' };
    await appendMany(store, 12, 10, 'crash'); // 120 events, and the ones the other tests wrote
    const total = Number((await db.query('SELECT count(*) AS n FROM emt_messages')).rows[0].n);

    const first = spawnFixture('slow-consumer.ts', env);
    await eventually('two batches committed', async () => ((await readConsumerCheckpoint(db, name))?.globalPosition ?? 0n) > 0n && (await countRows()) >= 20, 20_000);
    await first.waitForLine(/MID batch=([3-9]|\d\d+)/);
    await first.kill9();

    // Only whole, committed batches are visible: the half-written batch died with its transaction.
    const afterCrash = await countRows();
    expect(afterCrash % 10).toBe(0);
    expect(afterCrash).toBeLessThan(total);
    const checkpoint = (await readConsumerCheckpoint(db, name))!;
    const below = await db.query(`SELECT count(*)::int AS n FROM emt_messages WHERE (transaction_id, global_position) <= ($1::xid8, $2::bigint)`, [
      checkpoint.transactionId,
      checkpoint.globalPosition.toString(),
    ]);
    expect(below.rows[0].n).toBe(afterCrash); // rows and checkpoint were committed together

    const second = spawnFixture('slow-consumer.ts', env);
    await appendMany(store, 3, 4, 'while-restarting'); // the log keeps growing meanwhile
    await eventually('restarted consumer caught up', async () => (await readConsumerBacklog(db, name)) === 0, 30_000);

    const rows = await db.query('SELECT event_id, count(*)::int AS n FROM rm_rows GROUP BY event_id');
    const ids = await db.query('SELECT message_id FROM emt_messages');
    expect(rows.rows.filter((r: { n: number }) => r.n !== 1)).toEqual([]);
    expect(new Set(rows.rows.map((r: { event_id: string }) => r.event_id))).toEqual(new Set(ids.rows.map((r: { message_id: string }) => r.message_id)));

    // a clean stop on SIGTERM: the fixture stops its consumer and exits 0
    second.proc.child.kill('SIGTERM');
    await second.waitForLine(/STOPPED/);
    await eventually('fixture exited', () => second.proc.child.exitCode !== null);
    expect(second.proc.child.exitCode).toBe(0);

    async function countRows(): Promise<number> {
      return Number((await db.query('SELECT count(*) AS n FROM rm_rows')).rows[0].n);
    }
  });
});
