import { CallLogItem, callLogSearchReplySchema, CallLogSearchRequest, HISTORY_CALL_LOGS, SYNC_SEARCH_LIMIT } from '@pbx/contracts';
import { CallLogRow } from '@pbx/domain-call-leg';
import { createEventStore } from '@pbx/event-store';
import { upsertCallLogRows } from '@pbx/read-models';
import { NatsBus, RunningService } from '@pbx/service-kit';
import { testNatsUrl } from '@pbx/testing';
import { Client } from 'pg';
import { appendCallsByLeg, CALL_KINDS, expectedRow, scriptCall, scriptCalls } from './calls';
import { bootProjector, caughtUp, connectDb, createHistoryDatabase, historyConfig } from './support';

// qry.v1.history-projector.call-logs (発着信履歴検索, SPEC S-1) over rows the projector wrote.
describe('call-log search over NATS (SPEC S-1, A-1)', () => {
  let db: Client;
  let svc: RunningService;
  let bus: NatsBus;
  const start = Date.parse('2025-04-01T00:00:00.000Z');
  const MIN = 60_000;
  // 40 calls, one a minute from 00:00, every kind four times.
  const calls = scriptCalls(40, start, MIN, 's');
  const rows = calls.map((c) => expectedRow(c) as CallLogRow);
  const item = (r: CallLogRow): CallLogItem => ({
    callId: r.callId,
    requestId: r.requestId,
    startedAt: r.startedAt,
    answeredAt: r.answeredAt,
    endedAt: r.endedAt,
    durationSeconds: r.durationSeconds,
    direction: r.direction,
    presentedCaller: r.presentedCaller,
    callee: r.callee,
    answeredBy: r.answeredBy,
    result: r.result,
    trunkId: r.trunkId,
    did: r.did,
    federation: r.federation,
  });
  const newestFirst = (rs: CallLogRow[]) => [...rs].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || (a.callId < b.callId ? 1 : -1)).map(item);
  const search = (q: CallLogSearchRequest) => bus.request(HISTORY_CALL_LOGS, q, callLogSearchReplySchema, { timeoutMs: 10_000 });
  const involves = (r: CallLogRow, n: string) => [r.presentedCaller, r.callee, r.answeredBy, r.did].includes(n);

  beforeAll(async () => {
    const url = await createHistoryDatabase('history_search');
    db = await connectDb(url);
    const store = createEventStore({ connectionString: url, poolSize: 4 });
    await appendCallsByLeg(store, calls);
    await store.close();
    svc = await bootProjector(historyConfig(url));
    bus = await NatsBus.connect(testNatsUrl(), 'history-search-test');
    await caughtUp(db);
  });
  afterAll(async () => {
    await bus?.close();
    await svc?.close();
    await db?.end();
  });

  it('answers every call newest first, paged with limit and offset, with the total', async () => {
    const all = newestFirst(rows);
    expect(await search({})).toEqual({ items: all.slice(0, 40), total: 40 });
    expect(await search({ limit: 15, offset: 30 })).toEqual({ items: all.slice(30, 40), total: 40 });
    expect(await search({ limit: 5, offset: 40 })).toEqual({ items: [], total: 40 });
  });

  it('filters by period: from inclusive, to exclusive, on the start', async () => {
    const from = new Date(start + 10 * MIN).toISOString();
    const to = new Date(start + 20 * MIN).toISOString();
    const r = await search({ from, to });
    expect(r.total).toBe(10);
    expect(r.items).toEqual(newestFirst(rows.slice(10, 20)));
  });

  it('filters by a number matching the caller, the callee, the answering number or the DID', async () => {
    for (const n of ['1000', '1001', '0312340001', rows[2].callee]) {
      const want = rows.filter((r) => involves(r, n));
      expect(want.length).toBeGreaterThan(0);
      expect(await search({ number: n })).toEqual({ items: newestFirst(want), total: want.length });
    }
    expect(await search({ number: '0399999999' })).toEqual({ items: [], total: 0 });
  });

  it('filters by direction and result, combined with the period', async () => {
    const incoming = rows.filter((r) => r.direction === 'incoming');
    expect((await search({ direction: 'incoming' })).items).toEqual(newestFirst(incoming));
    const busy = rows.filter((r) => r.result === 'busy');
    expect((await search({ result: 'busy' })).items).toEqual(newestFirst(busy));
    const to = new Date(start + 20 * MIN).toISOString();
    expect((await search({ result: 'answered', direction: 'internal', to })).items).toEqual(
      newestFirst(rows.filter((r) => r.result === 'answered' && r.direction === 'internal' && r.startedAt < to)),
    );
    // a call in progress has no result yet: it matches no result filter, but is listed without one
    expect(rows.filter((r) => r.result === null).length).toBe(4);
    expect((await search({})).items.filter((i) => i.result === null)).toHaveLength(4);
  });

  it('scope (SPEC A-1): only calls involving the granted numbers; none for an empty grant', async () => {
    const ext = rows[0].presentedCaller;
    const mine = rows.filter((r) => involves(r, ext));
    expect(await search({ scope: { numbers: [ext] } })).toEqual({ items: newestFirst(mine), total: mine.length });
    const two = rows.filter((r) => involves(r, ext) || involves(r, '0312340001'));
    expect((await search({ scope: { numbers: [ext, '0312340001'] } })).total).toBe(two.length);
    expect(await search({ scope: { numbers: [] } })).toEqual({ items: [], total: 0 });
    // a number filter outside the grant finds nothing, inside it narrows
    const other = rows.find((r) => !involves(r, ext)) as CallLogRow;
    expect((await search({ number: other.presentedCaller, scope: { numbers: [ext] } })).items.every((i) => [i.presentedCaller, i.callee, i.answeredBy, i.did].includes(ext))).toBe(true);
  });

  it('answers CONTRACT.INVALID_PAYLOAD for input a user can type wrong, naming the field', async () => {
    await expect(search({ from: '2025-05-01T00:00:00Z', to: '2025-04-01T00:00:00Z' })).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD', message: expect.stringContaining('to') });
    await expect(search({ from: 'yesterday' })).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD', message: expect.stringContaining('from') });
    await expect(search({ number: '03-1234' })).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD', message: expect.stringContaining('number') });
    await expect(search({ limit: 0 })).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD' });
    await expect(search({ limit: 1001 })).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD' });
    await expect(search({ direction: 'sideways' } as unknown as CallLogSearchRequest)).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD' });
    await expect(search({ sort: 'asc' } as unknown as CallLogSearchRequest)).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD' });
  });

  it(`over ${SYNC_SEARCH_LIMIT.toLocaleString('en-US')} matches: SEARCH.TOO_MANY naming the limit and pointing to async search; exactly the limit is answered (SPEC S-1)`, async () => {
    // 10,001 rows in one day of 2024 (written directly: the rule is about counting, not projecting).
    const day = Date.parse('2024-01-10T00:00:00.000Z');
    const template = expectedRow(scriptCall(CALL_KINDS[0], 0, day)) as CallLogRow;
    const bulk: CallLogRow[] = Array.from({ length: SYNC_SEARCH_LIMIT + 1 }, (_, i) => ({
      ...template,
      callId: `bulk-${i}`,
      requestId: `req-bulk-${i}`,
      startedAt: new Date(day + i * 1000).toISOString(),
      answeredAt: null,
      endedAt: new Date(day + i * 1000 + 5000).toISOString(),
      result: 'busy',
    }));
    for (let i = 0; i < bulk.length; i += 2_000) await upsertCallLogRows(db, bulk.slice(i, i + 2_000));
    const from = new Date(day).toISOString();

    const err = await search({ from, to: '2024-01-11T00:00:00.000Z' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SEARCH.TOO_MANY', details: { limit: 10_000, asyncSearch: { target: 'call-logs' } } });
    expect((err as Error).message).toMatch(/10,000/);
    expect((err as Error).message).toMatch(/async search/);

    const exactly = await search({ from, to: new Date(day + SYNC_SEARCH_LIMIT * 1000).toISOString(), limit: 3 });
    expect(exactly.total).toBe(SYNC_SEARCH_LIMIT);
    expect(exactly.items.map((i) => i.callId)).toEqual([`bulk-${SYNC_SEARCH_LIMIT - 1}`, `bulk-${SYNC_SEARCH_LIMIT - 2}`, `bulk-${SYNC_SEARCH_LIMIT - 3}`]);
    // the whole table is over the limit too; a narrower filter is not
    await expect(search({})).rejects.toMatchObject({ code: 'SEARCH.TOO_MANY' });
    expect((await search({ result: 'answered', from: '2025-01-01T00:00:00Z' })).total).toBe(rows.filter((r) => r.result === 'answered').length);
  });
});
