import { createEventStore, EventStore } from '@pbx/event-store';
import { applyProvisioning } from '@pbx/provisioning-store';
import { RunningService } from '@pbx/service-kit';
import { eventually, testServerId, writeTestProvisioning } from '@pbx/testing';
import { Client } from 'pg';
import { readRetentionDays } from '../src/retention/retention-days';
import { RetentionService } from '../src/retention/retention.service';
import { appendCallsByLeg, scriptCall } from './calls';
import { bootProjector, callLogRows, caughtUp, connectDb, createHistoryDatabase, historyConfig } from './support';

// SPEC K-5: rows older than historyRetentionDays are purged daily. The service's clock is fake:
// "now" is 2030-06-30, the retention 30 days.
const NOW = Date.parse('2030-06-30T12:00:00.000Z');
const DAY = 86_400_000;

describe('history retention (SPEC K-5)', () => {
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

function provisioning(serverId: string, historyRetentionDays: number) {
  return {
    server: { id: serverId, domain: `${serverId}.pbx.test`, channelLimit: 10, mobileChannelLimit: 5, defaultNotificationNumber: '0312345678', historyRetentionDays },
    trunks: [{ id: 'carrier-a', host: '127.0.0.1', dids: ['0312345678'] }],
    extensions: [{ number: '1001', kind: 'softphone', name: 'Sato', password: 's3cret-1001' }],
  };
}

// SPEC K-5 with issue #4: the retention is the server's historyRetentionDays in force — the stored
// document over the file, every apply followed without restart; HISTORY_RETENTION_DAYS is only the
// fallback without PROVISIONING_FILE. The service runs its own relay, as in the stack.
describe('history retention follows the provisioning in force (SPEC K-5)', () => {
  const serverId = testServerId('hpret');
  let url: string;
  let store: EventStore;
  let db: Client;
  let svc: RunningService;
  let file: string;
  const apply = (days: number) => applyProvisioning(store, provisioning(serverId, days), { source: 'retention.int.spec' });
  const metric = async (name: string): Promise<number> => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(await (await fetch(`${svc.httpUrl}/metrics`)).text())?.[1] ?? NaN);
  const ids = async () => [...(await callLogRows(db)).keys()].sort();

  beforeAll(async () => {
    url = await createHistoryDatabase('history_retention_prov');
    store = createEventStore({ connectionString: url, poolSize: 2 });
    db = await connectDb(url);
    // The boot file says 400 days; the store already holds a later document with 60.
    file = writeTestProvisioning(serverId, provisioning(serverId, 400));
    await apply(60);
    await appendCallsByLeg(store, [scriptCall('busy', 1, NOW - 90 * DAY, 'p'), scriptCall('no-answer', 2, NOW - 45 * DAY, 'p'), scriptCall('busy', 3, NOW - 10 * DAY, 'p')]);
    // HISTORY_RETENTION_DAYS 1 would purge every row: it must be ignored next to PROVISIONING_FILE.
    const config = historyConfig(url, { RELAY_ENABLED: 'true', RETENTION_ENABLED: 'true', RETENTION_FIRST_RUN_MS: '3600000', PROVISIONING_FILE: file, HISTORY_RETENTION_DAYS: '1' });
    svc = await bootProjector(config, () => NOW);
    await caughtUp(db);
  });
  afterAll(async () => {
    await svc?.close();
    await store?.close();
    await db?.end();
  });

  it('boots on the stored historyRetentionDays (60), not the older file (400) nor HISTORY_RETENTION_DAYS (1)', async () => {
    expect(await metric('pbx_history_retention_days')).toBe(60);
    expect(await metric('pbx_history_projector_provisioning_version')).toBe(1);
    expect(await ids()).toEqual(['p1', 'p2', 'p3']);
    expect(await svc.app.get(RetentionService).purge()).toEqual({ callLog: 1, callLogState: 1, callCenterLog: 0 });
    expect(await ids()).toEqual(['p2', 'p3']);
  });

  it('a second apply lowering historyRetentionDays makes the next purge delete rows the first value kept', async () => {
    await apply(30);
    await eventually('30 days in force at the projector', async () => (await metric('pbx_history_retention_days')) === 30, 15_000);
    expect(await metric('pbx_history_projector_provisioning_version')).toBe(2);
    expect(await svc.app.get(RetentionService).purge()).toEqual({ callLog: 1, callLogState: 1, callCenterLog: 0 });
    expect(await ids()).toEqual(['p3']);
  });

  it('the rebuild script reads the same rule once: stored document, else the file, else HISTORY_RETENTION_DAYS', async () => {
    await expect(readRetentionDays({ provisioningFile: file, databaseUrl: url, envDays: 1 })).resolves.toEqual({ days: 30, source: 'store (version 2)' });
    const empty = await createHistoryDatabase('history_retention_file');
    await expect(readRetentionDays({ provisioningFile: file, databaseUrl: empty, envDays: 1 })).resolves.toEqual({ days: 400, source: 'file' });
    await expect(readRetentionDays({ databaseUrl: empty, envDays: 7 })).resolves.toEqual({ days: 7, source: 'HISTORY_RETENTION_DAYS' });
    await expect(readRetentionDays({ databaseUrl: empty })).resolves.toEqual({ days: 400, source: 'HISTORY_RETENTION_DAYS' });
  });
});
