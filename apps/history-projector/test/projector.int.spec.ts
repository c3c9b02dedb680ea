import { createEventStore, EventStore, resetConsumer } from '@pbx/event-store';
import { RunningService } from '@pbx/service-kit';
import { eventually } from '@pbx/testing';
import { Client } from 'pg';
import { HISTORY_CONSUMER } from '../src/projection/history.projection';
import { restartHistoryConsumers } from '../src/projection/rebuild';
import { CALL_KINDS, expectedRow, placeCall, scriptCall, scriptCalls } from './calls';
import { bootProjector, callLogRows, caughtUp, connectDb, createHistoryDatabase, dumpTable, historyConfig } from './support';

// The projector as a service, fed the way sip-edge will feed it: leg commands through the
// call-leg decider into the real event store (SPEC H-1), rows read back from PostgreSQL.
describe('history projector: leg events → call_log (SPEC H-2, H-3)', () => {
  let url: string;
  let store: EventStore;
  let db: Client;
  let svc: RunningService;
  const start = Date.parse('2025-04-01T09:00:00.000Z');

  beforeAll(async () => {
    url = await createHistoryDatabase('history_proj');
    store = createEventStore({ connectionString: url, poolSize: 4 });
    db = await connectDb(url);
    svc = await bootProjector(historyConfig(url, { PROJECTOR_BATCH_SIZE: '7' })); // small batches: calls straddle them
  });
  afterAll(async () => {
    await svc?.close();
    await store?.close();
    await db?.end();
  });

  it('writes one row per call, equal to the pure projection, for every kind of call (concurrent calls, batches cutting through them)', async () => {
    const calls = CALL_KINDS.map((k, i) => scriptCall(k, i, start + i * 1_000, 'k'));
    await Promise.all(calls.map((c) => placeCall(store, c)));
    await caughtUp(db);
    const rows = await callLogRows(db);
    for (const c of calls) expect({ callId: c.callId, row: rows.get(c.callId) }).toEqual({ callId: c.callId, row: expectedRow(c) });
    expect(rows.get('k3')).toMatchObject({ direction: 'internal', result: 'busy', answeredBy: null });
    expect(rows.get('k6')).toMatchObject({ direction: 'incoming', result: 'rejected-over-channel-limit', did: '0312340006', trunkId: 'carrier-a' });
    expect(rows.get('k8')).toMatchObject({ result: null, endedAt: null }); // in progress
    expect(rows.get('k9')).toMatchObject({ direction: 'internal', federation: true, result: 'answered' });
  });

  it('updates a call’s row as its later events arrive (the call in progress ends)', async () => {
    const c = scriptCall('in-progress', 100, start, 'p');
    await placeCall(store, c);
    await caughtUp(db);
    expect((await callLogRows(db)).get('p100')).toMatchObject({ result: null, endedAt: null, durationSeconds: 0 });
    const end = (legId: string) => ({ type: 'EndLeg' as const, legId, cause: 'normal' as const, sipStatus: null, hungUpBy: 'callee' as const, at: new Date(start + 62_500).toISOString() });
    const ended = { ...c, commands: [...c.commands, end('p100-b'), end('p100-a')] };
    await placeCall(store, { ...c, commands: ended.commands.slice(c.commands.length) });
    await caughtUp(db);
    const row = (await callLogRows(db)).get('p100');
    expect(row).toEqual(expectedRow(ended));
    expect(row).toMatchObject({ result: 'answered', endedAt: '2025-04-01T09:01:02.500Z', durationSeconds: 61 });
  });

  it('a replay of the whole log changes nothing: the same rows, and not one new row version (SPEC H-3)', async () => {
    await Promise.all(scriptCalls(30, start + 86_400_000, 10_000, 'r').map((c) => placeCall(store, c)));
    await caughtUp(db);
    const versions = async () => (await db.query(`SELECT call_id, xmin::text AS v FROM call_log UNION ALL SELECT 's:' || call_id, xmin::text FROM call_log_state ORDER BY 1`)).rows;
    const before = { log: await dumpTable(db, 'call_log'), state: await dumpTable(db, 'call_log_state'), versions: await versions() };
    expect(before.log.length).toBeGreaterThanOrEqual(41);

    // The checkpoint back to the start with the rows kept: every batch is applied a second time.
    await resetConsumer(db, HISTORY_CONSUMER);
    expect(await restartHistoryConsumers(db)).toBe(1);
    await eventually('replayed', async () => (await db.query(`SELECT global_position::text AS gp FROM pbx_consumer_checkpoints WHERE consumer_name = $1`, [HISTORY_CONSUMER])).rows[0]?.gp !== '0');
    await caughtUp(db);
    expect(await dumpTable(db, 'call_log')).toEqual(before.log);
    expect(await dumpTable(db, 'call_log_state')).toEqual(before.state);
    expect(await versions()).toEqual(before.versions);
  });

  it('skips an event it cannot read, counts and logs it, and keeps projecting', async () => {
    await store.append('leg-broken1', [{ type: 'LegCreated', data: { legId: 'broken1' } }], { expectedVersion: 0n, metadata: { correlationId: 'req-broken' } });
    const c = scriptCall('busy', 200, start, 'after-broken');
    await placeCall(store, c);
    await caughtUp(db);
    expect((await callLogRows(db)).get('after-broken200')).toEqual(expectedRow(c));
    const metrics = await (await fetch(`${svc.httpUrl}/metrics`)).text();
    // Counted per attempt (a batch retried after an error counts its bad event again): at least once.
    expect(Number(/pbx_history_rejected_events_total\{[^}]*type="LegCreated"[^}]*\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/pbx_history_projector_backlog\{[^}]*\} 0/);
    const health = (await (await fetch(`${svc.httpUrl}/health`)).json()) as { checks: Record<string, unknown> };
    expect(health.checks.projector).toEqual({ status: 'ok' });
  });
});

// SPEC Q-6: live channel usage from channel-quota's pool events (docs/channel-quota.md).
describe('history projector: pool events → channel_usage (SPEC Q-6)', () => {
  let url: string;
  let store: EventStore;
  let db: Client;
  let svc: RunningService;
  const t = (s: number) => new Date(Date.parse('2025-04-01T09:00:00.000Z') + s * 1000).toISOString();
  const holder = (legId: string, farEnd: Record<string, unknown>, pool = 'channel') => ({ legId, pool, callId: `call-${legId}`, requestId: `req-${legId}`, direction: 'inbound', farEnd, localParty: '0312345678' });

  beforeAll(async () => {
    url = await createHistoryDatabase('history_usage');
    store = createEventStore({ connectionString: url, poolSize: 2 });
    db = await connectDb(url);
    svc = await bootProjector(historyConfig(url));
  });
  afterAll(async () => {
    await svc?.close();
    await store?.close();
    await db?.end();
  });

  const usage = async () =>
    (await db.query(`SELECT leg_id, server_id, pool, holder, local_party, to_char(since AT TIME ZONE 'UTC', 'HH24:MI:SS') AS since, to_char(expires_at AT TIME ZONE 'UTC', 'HH24:MI:SS') AS expires FROM channel_usage ORDER BY leg_id`)).rows;

  it('holds a row per leg from reserve to release or expiry, with renewals, per server', async () => {
    const trunk = holder('l1', { kind: 'trunk', trunkId: 'carrier-a', number: '09011112222' });
    const mobile = holder('l2', { kind: 'mobile', extension: '1005' }, 'mobile-channel');
    const peer = holder('l3', { kind: 'peer', serverId: 'osaka', extension: '2001' });
    await store.append(
      'channel-pool-tokyo_e1',
      [
        { type: 'ChannelReserved', data: { ...trunk, at: t(0), expiresAt: t(30) } },
        { type: 'ChannelReserved', data: { ...mobile, at: t(1), expiresAt: t(31) } },
        { type: 'ChannelReserved', data: { ...peer, at: t(2), expiresAt: t(32) } },
        { type: 'ChannelLeaseRenewed', data: { ...trunk, at: t(10), expiresAt: t(40) } },
        { type: 'ChannelReleased', data: { ...mobile, at: t(12), since: t(1), reason: 'bye' } },
      ],
      { expectedVersion: 0n, metadata: { correlationId: 'pool' } },
    );
    await store.append('channel-pool-osaka_e1', [{ type: 'ChannelReserved', data: { ...holder('o1', { kind: 'softphone', extension: '2001' }), at: t(3), expiresAt: t(33) } }], {
      expectedVersion: 0n,
      metadata: { correlationId: 'pool' },
    });
    await caughtUp(db);
    expect(await usage()).toEqual([
      { leg_id: 'l1', server_id: 'tokyo', pool: 'channel', holder: '09011112222', local_party: '0312345678', since: '09:00:00', expires: '09:00:40' },
      { leg_id: 'l3', server_id: 'tokyo', pool: 'channel', holder: 'osaka/2001', local_party: '0312345678', since: '09:00:02', expires: '09:00:32' },
      { leg_id: 'o1', server_id: 'osaka', pool: 'channel', holder: '2001', local_party: '0312345678', since: '09:00:03', expires: '09:00:33' },
    ]);

    await store.append('channel-pool-tokyo_e1', [{ type: 'ChannelLeaseExpired', data: { ...peer, at: t(33), since: t(2), renewedAt: t(2), expiresAt: t(32) } }], {
      expectedVersion: 5n,
      metadata: { correlationId: 'pool' },
    });
    await caughtUp(db);
    expect((await usage()).map((r) => r.leg_id)).toEqual(['l1', 'o1']);
  });

  it('restates a server’s leases when its books open on a new stream (the closed stream’s leases carry over)', async () => {
    const lease = (legId: string) => ({ ...holder(legId, { kind: 'trunk', trunkId: 'carrier-a' }), since: t(0), renewedAt: t(50), expiresAt: t(80) });
    await store.append('channel-pool-tokyo_e1', [{ type: 'ChannelPoolBooksClosed', data: { at: t(60), leases: [lease('l1'), lease('l9')] } }], { expectedVersion: 6n, metadata: { correlationId: 'pool' } });
    await store.append('channel-pool-tokyo_e2', [{ type: 'ChannelPoolBooksOpened', data: { at: t(60), from: 'channel-pool-tokyo_e1', leases: [lease('l1'), lease('l9')] } }], {
      expectedVersion: 0n,
      metadata: { correlationId: 'pool' },
    });
    await caughtUp(db);
    const rows = await usage();
    expect(rows.map((r) => [r.leg_id, r.server_id, r.holder, r.expires])).toEqual([
      ['l1', 'tokyo', 'trunk carrier-a', '09:01:20'],
      ['l9', 'tokyo', 'trunk carrier-a', '09:01:20'],
      ['o1', 'osaka', '2001', '09:00:33'], // another server's legs are not touched
    ]);
  });
});
