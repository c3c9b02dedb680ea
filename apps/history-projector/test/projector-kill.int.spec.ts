import { createEventStore, EventStore, readConsumerCheckpoint } from '@pbx/event-store';
import { LegEvent, parseLegEvent, projectCallLog } from '@pbx/domain-call-leg';
import { join } from 'node:path';
import { Client } from 'pg';
import { HISTORY_CONSUMER } from '../src/projection/history.projection';
import { appendCallsByLeg, expectedRow, scriptCalls } from './calls';
import { callLogRows, caughtUp, connectDb, createHistoryDatabase, spawnTs } from './support';

// SPEC H-3: "a projector killed mid-batch loses nothing and doubles nothing". The projector's
// own consumer and batch handler run in a child process that pauses between writing a batch's
// rows and committing it; the test SIGKILLs it there and restarts it.
describe('history projector SIGKILLed in the middle of a batch (SPEC H-3)', () => {
  let url: string;
  let store: EventStore;
  let db: Client;
  const fixture = join(__dirname, 'fixtures/slow-projector.ts');
  const start = Date.now() - 6 * 3_600_000;

  beforeAll(async () => {
    url = await createHistoryDatabase('history_kill');
    store = createEventStore({ connectionString: url, poolSize: 4 });
    db = await connectDb(url);
  });
  afterAll(async () => {
    await store?.close();
    await db?.end();
  });

  /** The pure projection of every leg event committed at or before the checkpoint, by call. */
  async function expectedAtCheckpoint(): Promise<Map<string, unknown>> {
    const cp = await readConsumerCheckpoint(db, HISTORY_CONSUMER);
    const r = await db.query(
      `SELECT message_type AS type, message_data AS data FROM emt_messages WHERE (transaction_id, global_position) <= ($1::xid8, $2::bigint) ORDER BY transaction_id, global_position`,
      [cp?.transactionId ?? '0', (cp?.globalPosition ?? 0n).toString()],
    );
    const byCall = new Map<string, LegEvent[]>();
    for (const row of r.rows as { type: string; data: unknown }[]) {
      const p = parseLegEvent(row.type, row.data);
      if (!p.ok) throw new Error(p.error);
      byCall.set(p.event.data.callId, [...(byCall.get(p.event.data.callId) ?? []), p.event]);
    }
    const rows = new Map<string, unknown>();
    for (const [callId, events] of byCall) {
      const row = projectCallLog(events);
      if (row !== null) rows.set(callId, row);
    }
    return rows;
  }

  it('keeps only whole committed batches, and after a restart holds exactly the rows of every call', async () => {
    const calls = scriptCalls(150, start, 30_000, 'k');
    const events = await appendCallsByLeg(store, calls);
    expect(events).toBeGreaterThan(900);

    const first = spawnTs(fixture, { DATABASE_URL: url, BATCH_SIZE: '40', PAUSE_MS: '300', LOG_LEVEL: 'warn' });
    await first.waitForLine(/MID batch=([4-9]|\d\d+)/); // three batches committed, the fourth written but not committed
    await first.kill9();

    // The rows are exactly the projection of the events up to the committed checkpoint: the
    // killed batch's rows died with its transaction, and nothing past the checkpoint is there.
    const cp = await readConsumerCheckpoint(db, HISTORY_CONSUMER);
    expect(cp?.globalPosition).toBeGreaterThan(0n);
    const atCrash = await callLogRows(db);
    expect(atCrash.size).toBeLessThan(calls.length);
    expect(atCrash).toEqual(await expectedAtCheckpoint());

    // Restarted (no pause now) while the log keeps growing.
    const second = spawnTs(fixture, { DATABASE_URL: url, BATCH_SIZE: '40', PAUSE_MS: '0', LOG_LEVEL: 'warn' });
    const more = scriptCalls(20, start + 150 * 30_000, 30_000, 'm');
    await appendCallsByLeg(store, more);
    await caughtUp(db);

    const rows = await callLogRows(db);
    const all = [...calls, ...more];
    expect(rows.size).toBe(all.length);
    for (const c of all) expect({ callId: c.callId, row: rows.get(c.callId) }).toEqual({ callId: c.callId, row: expectedRow(c) });
    const states = await db.query(`SELECT count(*)::int AS n FROM call_log_state`);
    expect(states.rows[0].n).toBe(all.length);

    second.proc.child.kill('SIGTERM');
    await second.waitForLine(/STOPPED/);
    expect(await second.exited).toBe(0);
  });
});
