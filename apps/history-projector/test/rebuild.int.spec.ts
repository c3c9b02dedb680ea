import { createEventStore, EventStore, readConsumerBacklog } from '@pbx/event-store';
import { RunningService } from '@pbx/service-kit';
import { join } from 'node:path';
import { Client } from 'pg';
import { HISTORY_CONSUMER } from '../src/projection/history.projection';
import { rebuildHistory, RebuildProgress } from '../src/projection/rebuild';
import { appendCallsByLeg, placeCall, scriptCalls } from './calls';
import { bootProjector, caughtUp, connectDb, createHistoryDatabase, dumpTable, historyConfig, spawnTs } from './support';

// SPEC H-3: deleting the read models and replaying the log yields the same rows.
describe('rebuild-projections (SPEC H-3)', () => {
  let url: string;
  let store: EventStore;
  let db: Client;
  let svc: RunningService | undefined;
  const start = Date.now() - 2 * 86_400_000;
  const t = (s: number) => new Date(start + s * 1000).toISOString();
  const holder = (legId: string) => ({ legId, pool: 'channel', callId: `call-${legId}`, direction: 'outbound', farEnd: { kind: 'agent-external', number: '09012345678' } });

  const snapshot = async () => ({ callLog: await dumpTable(db, 'call_log'), state: await dumpTable(db, 'call_log_state'), usage: await dumpTable(db, 'channel_usage') });

  beforeAll(async () => {
    url = await createHistoryDatabase('history_rebuild');
    store = createEventStore({ connectionString: url, poolSize: 4 });
    db = await connectDb(url);
    svc = await bootProjector(historyConfig(url, { PROJECTOR_BATCH_SIZE: '25' }));
    // The live projector sees the log as it grows: calls placed command by command, in
    // parallel, with bulk-appended calls and pool events in between.
    await Promise.all(scriptCalls(40, start, 20_000, 'live').map((c) => placeCall(store, c)));
    await appendCallsByLeg(store, scriptCalls(200, start + 3_600_000, 5_000, 'bulk'));
    await store.append(
      'channel-pool-tokyo_e1',
      [
        { type: 'ChannelReserved', data: { ...holder('u1'), at: t(0), expiresAt: t(30) } },
        { type: 'ChannelReserved', data: { ...holder('u2'), at: t(1), expiresAt: t(31) } },
        { type: 'ChannelLeaseRenewed', data: { ...holder('u1'), at: t(20), expiresAt: t(50) } },
        { type: 'ChannelReleased', data: { ...holder('u2'), at: t(25), since: t(1), reason: 'bye' } },
      ],
      { expectedVersion: 0n, metadata: { correlationId: 'pool' } },
    );
    await caughtUp(db);
  });
  afterAll(async () => {
    await svc?.close();
    await store?.close();
    await db?.end();
  });

  it('with the service running: empties the tables and checkpoint, replays, and the rebuilt tables equal the live ones row for row', async () => {
    const live = await snapshot();
    expect(live.callLog).toHaveLength(240);
    expect(live.usage).toHaveLength(1);

    const seen: RebuildProgress[] = [];
    const result = await rebuildHistory({ connectionString: url, retentionDays: 400, progressEveryMs: 0, progress: (p) => seen.push(p) });

    expect(await snapshot()).toEqual(live);
    expect(result).toMatchObject({ callLogRows: 240, channelUsageRows: 1, purged: 0 });
    expect(result.events).toBeGreaterThan(1_500);
    expect(seen.at(-1)).toMatchObject({ done: true, handled: result.events, total: result.events });
    expect(await readConsumerBacklog(db, HISTORY_CONSUMER)).toBe(0);
    // the running service still projects what comes next
    await placeCall(store, scriptCalls(1, start, 1_000, 'after')[0]);
    await caughtUp(db);
    expect((await dumpTable(db, 'call_log')).length).toBe(241);
  });

  it('as the script tools/stack rebuild-projections runs (service stopped), printing its progress', async () => {
    await svc?.close();
    svc = undefined;
    const live = await snapshot();
    await db.query(`UPDATE call_log SET callee = 'tampered' WHERE call_id = 'bulk7'`); // a read model gone wrong
    const script = spawnTs(join(__dirname, '../src/rebuild.ts'), { DATABASE_URL: url, HISTORY_RETENTION_DAYS: '400', LOG_LEVEL: 'warn' });
    expect(await script.exited).toBe(0);
    expect(script.output()).toMatch(/rebuild-projections: [\d,]+ \/ [\d,]+ events \(100%\), [\d,]+ events\/s, caught up/);
    expect(script.output()).toMatch(/done in [\d.]+ s: [\d,]+ events, 241 call-log rows, 1 live channel legs/);
    expect(await snapshot()).toEqual(live);
  });

  it('refuses to start without a database URL, with a clear message', async () => {
    const script = spawnTs(join(__dirname, '../src/rebuild.ts'), { DATABASE_URL: '' });
    expect(await script.exited).toBe(1);
    expect(script.output()).toMatch(/DATABASE_URL/);
  });
});
