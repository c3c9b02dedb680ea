import type { CallLogRow } from '@pbx/domain-call-leg';
import { createEventStore, EventStore, migrateEventStore } from '@pbx/event-store';
import { migrateReadModels, upsertCallLogRows } from '@pbx/read-models';
import { RunningService } from '@pbx/service-kit';
import { createTestDatabase, eventually, ManagedProcess } from '@pbx/testing';
import { Client } from 'pg';
import { ext, fromTrunk, placeCall, toExternal, twoLegCall } from './calls';
import { bootGateway, gatewayConfig, http, login, startRepoService, writeGatewayProvisioning } from './support';

// GET /api/v1/call-logs for each role (SPEC A-1), answered by the real history-projector from
// call_log rows it projected from leg events (SPEC H-2); over 10,000 matches → 422 (SPEC S-1).
describe('GET /api/v1/call-logs (SPEC A-1, S-1, B-2)', () => {
  let databaseUrl: string;
  let store: EventStore;
  let projector: ManagedProcess;
  let gw: RunningService;
  let url: string;
  const tokens: Record<string, string> = {};
  const base = Date.parse('2026-03-02T00:00:00Z');

  // The numbering of writeGatewayProvisioning: center 5001 with DID 0312345678; DID
  // 0312345679 → 1001 (granted to sv1); agent1 signs in on 1002, agent2 on 09087654321.
  const calls = [
    // c1: a customer calls the center's DID; agent1's extension 1002 answers.
    twoLegCall({ callId: 'c1', at: 0, from: fromTrunk('09011112222', '0312345678'), presented: '09011112222', called: '0312345678', to: ext('1002'), answers: true }, base),
    // c2: a customer calls DID 0312345679 → 1001, nobody answers.
    twoLegCall({ callId: 'c2', at: 600, from: fromTrunk('09055556666', '0312345679'), presented: '09055556666', called: '0312345679', to: ext('1001'), answers: false }, base),
    // c3: internal 1001 → 1003.
    twoLegCall({ callId: 'c3', at: 1200, from: ext('1001'), presented: '1001', called: '1003', to: ext('1003'), answers: true }, base),
    // c4: 1002 calls a customer out through the trunk.
    twoLegCall({ callId: 'c4', at: 1800, from: ext('1002'), presented: '1002', called: '0399998888', to: toExternal('0399998888'), answers: true }, base),
    // c5: agent2's personal phone calls DID 0312345679 → 1001 answers.
    twoLegCall({ callId: 'c5', at: 2400, from: fromTrunk('09087654321', '0312345679'), presented: '09087654321', called: '0312345679', to: ext('1001'), answers: true }, base),
  ];

  const search = async (who: string, query = '') => http(`${url}/api/v1/call-logs${query}`, { token: tokens[who] });
  const ids = (r: { body: Record<string, unknown> }) => (r.body.items as { callId: string }[]).map((i) => i.callId);

  beforeAll(async () => {
    const p = writeGatewayProvisioning();
    databaseUrl = await createTestDatabase('gw_history');
    await migrateEventStore(databaseUrl);
    await migrateReadModels(databaseUrl);
    projector = await startRepoService('history-projector', { DATABASE_URL: databaseUrl, RELAY_ENABLED: 'false', RETENTION_ENABLED: 'false', PROJECTOR_BATCH_SIZE: '50' });
    gw = await bootGateway(gatewayConfig({ PROVISIONING_FILE: p.file }));
    url = gw.httpUrl;
    for (const a of ['admin', 'sv1', 'agent1', 'agent2', 'nodevice']) tokens[a] = await login(url, a);
    store = createEventStore({ connectionString: databaseUrl, poolSize: 2 });
    for (const c of calls) await placeCall(store, c);
    await eventually('the five calls projected and searchable', async () => (await search('admin')).body.total === 5, 30_000);
  });
  afterAll(async () => {
    await store?.close();
    await gw?.close();
    await projector?.stop();
  });

  it('a system admin sees every call, newest first, with the call-log columns', async () => {
    const r = await search('admin');
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    const c1 = (r.body.items as Record<string, unknown>[]).find((i) => i.callId === 'c1');
    expect(c1).toMatchObject({ requestId: 'req-c1', direction: 'incoming', presentedCaller: '09011112222', answeredBy: '1002', did: '0312345678', result: 'answered', durationSeconds: 60 });
  });

  it('a supervisor sees only calls of its granted DID and call center (SPEC A-1)', async () => {
    const r = await search('sv1');
    expect({ status: r.status, ids: ids(r), total: r.body.total }).toEqual({ status: 200, ids: ['c5', 'c2', 'c1'], total: 3 });
  });

  it('a user sees only calls of its own device: extension or external number (SPEC A-1)', async () => {
    expect(ids(await search('agent1'))).toEqual(['c4', 'c1']);
    expect(ids(await search('agent2'))).toEqual(['c5']);
    expect((await search('nodevice')).body).toEqual({ items: [], total: 0 });
  });

  it('filters narrow within the scope, never beyond it', async () => {
    expect(ids(await search('admin', '?number=1001'))).toEqual(['c5', 'c3']);
    expect(ids(await search('sv1', '?number=1001'))).toEqual(['c5']); // c3 is not the supervisor's
    expect(ids(await search('agent1', '?number=1001'))).toEqual([]);
    expect(ids(await search('admin', '?direction=internal'))).toEqual(['c3']);
    expect(ids(await search('admin', '?direction=outgoing'))).toEqual(['c4']);
    expect(ids(await search('admin', '?result=no-answer'))).toEqual(['c2']);
    expect(ids(await search('admin', `?from=${encodeURIComponent('2026-03-02T09:10:00+09:00')}&to=${encodeURIComponent('2026-03-02T09:40:00+09:00')}`))).toEqual(['c4', 'c3', 'c2']);
  });

  it('pages with limit and offset; total counts every match', async () => {
    expect(await search('admin', '?limit=2')).toMatchObject({ status: 200, body: { total: 5 } });
    expect(ids(await search('admin', '?limit=2'))).toEqual(['c5', 'c4']);
    expect(ids(await search('admin', '?limit=2&offset=4'))).toEqual(['c1']);
    expect(ids(await search('admin', '?offset=10000'))).toEqual([]);
  });

  it('odd input is a 400 naming each field, never a 500', async () => {
    const cases: [string, string[]][] = [
      ['?from=yesterday', ['query.from']],
      ['?from=2026-02-30T00:00:00Z', ['query.from']],
      ['?to=2026-03-02', ['query.to']],
      ['?from=2026-03-03T00:00:00Z&to=2026-03-02T00:00:00Z', ['query.to']],
      ['?number=03-1234-5678', ['query.number']],
      ['?number=abc', ['query.number']],
      ['?number=%27%20OR%201%3D1--', ['query.number']],
      ['?direction=sideways&result=ok', ['query.direction', 'query.result']],
      ['?limit=100000', ['query.limit']],
      ['?limit=ten&offset=-1', ['query.limit', 'query.offset']],
      ['?offset=10001', ['query.offset']],
      ['?limit=1&limit=2', ['query.limit']],
      ['?scope=all', ['query.scope']],
      ['?sort=startedAt', ['query.sort']],
    ];
    for (const [q, fields] of cases) {
      const r = await search('admin', q);
      expect({ q, status: r.status, code: r.body.error?.code, fields: (r.body.error?.fields as { path: string }[] | undefined)?.map((f) => f.path).sort() }).toEqual({ q, status: 400, code: 'REQUEST.INVALID', fields });
    }
  });

  describe('over 10,000 matches (SPEC S-1)', () => {
    beforeAll(async () => {
      // 10,001 more calls on a number nobody is scoped to, written as projected rows (placing them
      // one by one through the store would take minutes on this machine; the projection is history-projector's test).
      const db = new Client({ connectionString: databaseUrl });
      await db.connect();
      try {
        const rows: CallLogRow[] = Array.from({ length: 10_001 }, (_, i) => {
          const at = new Date(base - (i + 1) * 1000).toISOString();
          return { callId: `bulk-${i}`, requestId: `req-bulk-${i}`, originLegId: `bulk-${i}-a`, startedAt: at, answeredAt: null, endedAt: at, durationSeconds: 0, direction: 'incoming', federation: false, presentedCaller: '09000000000', callee: '0312340000', answeredBy: null, answeredByLegId: null, result: 'no-answer', trunkId: 'carrier-a', did: '0312340000' };
        });
        for (let i = 0; i < rows.length; i += 2_000) await upsertCallLogRows(db, rows.slice(i, i + 2_000));
      } finally {
        await db.end();
      }
    });

    it('answers 422 SEARCH.TOO_MANY naming the limit and pointing to async search', async () => {
      const r = await search('admin');
      expect(r.status).toBe(422);
      expect(r.body.error).toMatchObject({ code: 'SEARCH.TOO_MANY', limit: 10_000, asyncSearch: '/api/v1/async-searches' });
      expect(r.body.error?.message).toMatch(/10,000/);
      expect(r.body.error?.message).toMatch(/async search/);
    });

    it('a narrower search, or a scoped account, still answers', async () => {
      expect(await search('admin', '?number=1002')).toMatchObject({ status: 200, body: { total: 2 } });
      expect(await search('sv1')).toMatchObject({ status: 200, body: { total: 3 } });
    });
  });

  it('503 (not 500) while history-projector is down', async () => {
    await projector.stop();
    expect(await search('agent1')).toMatchObject({ status: 503, body: { error: { code: 'SERVICE.UNAVAILABLE' } } });
  });
});
