import { createEventStore, EventStore } from '@pbx/event-store';
import { RunningService } from '@pbx/service-kit';
import { eventually } from '@pbx/testing';
import { Client } from 'pg';
import { RetentionService } from '../src/retention/retention.service';
import { appendCallsByLeg, scriptCall } from './calls';
import { bootProjector, callLogRows, caughtUp, connectDb, createHistoryDatabase, historyConfig } from './support';

// SPEC K-5: rows older than historyRetentionDays are purged daily. The service's clock is fake:
// "now" is 2030-06-30, the retention 30 days.
describe('history retention (SPEC K-5)', () => {
  const NOW = Date.parse('2030-06-30T12:00:00.000Z');
  const DAY = 86_400_000;
  let url: string;
  let store: EventStore;
  let db: Client;
  let svc: RunningService;

  beforeAll(async () => {
    url = await createHistoryDatabase('history_retention');
    store = createEventStore({ connectionString: url, poolSize: 2 });
    db = await connectDb(url);
    const calls = [
      scriptCall('incoming-answered', 1, NOW - 400 * DAY, 'old'),
      scriptCall('busy', 2, NOW - 31 * DAY, 'old'),
      scriptCall('internal-answered', 3, NOW - 30 * DAY - 60_000, 'old'), // a minute past the line
      scriptCall('no-answer', 4, NOW - 30 * DAY + 60_000, 'kept'), // a minute inside it
      scriptCall('ring-all', 5, NOW - 1 * DAY, 'kept'),
    ];
    await appendCallsByLeg(store, calls);
    // A call whose originating leg was never seen (only a b-leg's events): a state without a row, aged too.
    const orphan = scriptCall('internal-answered', 6, NOW - 90 * DAY, 'orphan');
    await appendCallsByLeg(store, [{ ...orphan, commands: orphan.commands.filter((c) => c.legId.endsWith('-b')) }]);
    svc = await bootProjector(historyConfig(url, { RETENTION_ENABLED: 'true', HISTORY_RETENTION_DAYS: '30', RETENTION_FIRST_RUN_MS: '3600000' }), () => NOW);
    await caughtUp(db);
  });
  afterAll(async () => {
    await svc?.close();
    await store?.close();
    await db?.end();
  });

  it('deletes the rows and fold state of calls that started more than historyRetentionDays before now, and keeps the rest', async () => {
    expect([...(await callLogRows(db)).keys()].sort()).toEqual(['kept4', 'kept5', 'old1', 'old2', 'old3']);
    const result = await svc.app.get(RetentionService).purge();
    expect(result).toEqual({ callLog: 3, callLogState: 4, callCenterLog: 0 });
    expect([...(await callLogRows(db)).keys()].sort()).toEqual(['kept4', 'kept5']);
    expect((await db.query(`SELECT call_id FROM call_log_state ORDER BY call_id`)).rows.map((r: { call_id: string }) => r.call_id)).toEqual(['kept4', 'kept5']);
    // a second run finds nothing more
    expect(await svc.app.get(RetentionService).purge()).toEqual({ callLog: 0, callLogState: 0, callCenterLog: 0 });
  });

  it('runs on its own schedule (first run after boot, then every interval) and counts what it purged', async () => {
    await svc.close();
    const calls = [scriptCall('busy', 7, NOW - 45 * DAY, 'sched'), scriptCall('busy', 8, NOW - 2 * DAY, 'sched')];
    await appendCallsByLeg(store, calls);
    svc = await bootProjector(historyConfig(url, { RETENTION_ENABLED: 'true', HISTORY_RETENTION_DAYS: '30', RETENTION_FIRST_RUN_MS: '0', RETENTION_INTERVAL_MS: '1000' }), () => NOW);
    await caughtUp(db);
    // the first run may come before the projector wrote sched7; a later run takes it
    await eventually('sched7 purged', async () => !(await callLogRows(db)).has('sched7'), 10_000);
    expect([...(await callLogRows(db)).keys()].sort()).toEqual(['kept4', 'kept5', 'sched8']);
    const metrics = await (await fetch(`${svc.httpUrl}/metrics`)).text();
    expect(Number(/pbx_history_purged_rows_total\{[^}]*table="call_log"[^}]*\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  });
});
