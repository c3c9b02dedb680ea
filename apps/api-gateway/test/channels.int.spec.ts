import { CHANNEL_QUOTA_RESERVE, CHANNEL_QUOTA_USAGE, ReserveChannelRequest, reserveChannelReplySchema, SIP_EDGE_HANGUP, usageReplySchema } from '@pbx/contracts';
import { migrateEventStore } from '@pbx/event-store';
import { NatsBus, RunningService } from '@pbx/service-kit';
import { createTestDatabase, ManagedProcess, testNatsUrl } from '@pbx/testing';
import { bootGateway, gatewayConfig, http, login, startRepoService, writeGatewayProvisioning } from './support';

// チャネル使用状況 (SPEC Q-6) and admin disconnect (C-6) through the gateway, answered by the real
// channel-quota service (a child process on the same NATS and a fresh event store).
describe('GET /api/v1/channels, DELETE /api/v1/channels/{legId} (SPEC Q-6, C-6, A-1)', () => {
  let quota: ManagedProcess;
  let gw: RunningService;
  let bus: NatsBus;
  let url: string;
  const tokens: Record<string, string> = {};

  const leg = (legId: string, o: Partial<ReserveChannelRequest>): ReserveChannelRequest => ({
    legId,
    callId: `call-${legId}`,
    requestId: `req-${legId}`,
    direction: 'inbound',
    farEnd: { kind: 'trunk', trunkId: 'carrier-a', number: '09011112222' },
    ...o,
  });

  beforeAll(async () => {
    const p = writeGatewayProvisioning();
    const databaseUrl = await createTestDatabase('gw_cq');
    await migrateEventStore(databaseUrl);
    quota = await startRepoService('channel-quota', { DATABASE_URL: databaseUrl, PROVISIONING_FILE: p.file, HANGUP_TIMEOUT_MS: '500' });
    gw = await bootGateway(gatewayConfig({ PROVISIONING_FILE: p.file }));
    url = gw.httpUrl;
    bus = await NatsBus.connect(testNatsUrl(), 'gw-channels-test');
    // Legs as sip-edge reserves them: a call to the center's DID, an outbound call of 1001, an
    // agent on an external number answering for center 5001.
    for (const req of [
      leg('did-leg', { localParty: '0312345678' }),
      leg('out-leg', { direction: 'outbound', localParty: '1001', farEnd: { kind: 'trunk', trunkId: 'carrier-a', number: '0399998888' } }),
      leg('agent-leg', { direction: 'outbound', localParty: '5001', farEnd: { kind: 'agent-external', number: '09087654321', account: 'agent2' } }),
    ]) {
      await bus.request(CHANNEL_QUOTA_RESERVE, req, reserveChannelReplySchema, { timeoutMs: 10_000 });
    }
    for (const a of ['admin', 'sv1', 'agent1']) tokens[a] = await login(url, a);
  });
  afterAll(async () => {
    await bus?.close();
    await gw?.close();
    await quota?.stop();
  });

  it('a system admin sees every leg with who and since when, and the pools', async () => {
    const r = await http(`${url}/api/v1/channels`, { token: tokens.admin });
    expect(r.status).toBe(200);
    const usage = usageReplySchema.parse(r.body);
    expect(usage.legs.map((l) => l.legId).sort()).toEqual(['agent-leg', 'did-leg', 'out-leg']);
    expect(usage.pools.channel).toEqual({ limit: 10, held: 3 });
    expect(usage.legs.find((l) => l.legId === 'did-leg')).toMatchObject({ localParty: '0312345678', direction: 'inbound', farEnd: { kind: 'trunk', number: '09011112222' } });
  });

  it('a supervisor sees only legs of its numbers and call centers (SPEC A-1)', async () => {
    const r = await http(`${url}/api/v1/channels`, { token: tokens.sv1 });
    expect(r.status).toBe(200);
    expect((r.body.legs as { legId: string }[]).map((l) => l.legId).sort()).toEqual(['agent-leg', 'did-leg']);
  });

  it('a user may not see channel usage (403, nothing leaked)', async () => {
    const r = await http(`${url}/api/v1/channels`, { token: tokens.agent1 });
    expect(r).toMatchObject({ status: 403, body: { error: { code: 'AUTH.FORBIDDEN', message: 'not allowed' } } });
    expect(r.text).not.toContain('leg');
  });

  it('filters by pool, and refuses an unknown pool with a field error', async () => {
    expect((await http(`${url}/api/v1/channels?pool=mobile-channel`, { token: tokens.admin })).body.legs).toEqual([]);
    const bad = await http(`${url}/api/v1/channels?pool=all&x=1`, { token: tokens.admin });
    expect(bad.status).toBe(400);
    expect((bad.body.error?.fields as { path: string }[]).map((f) => f.path).sort()).toEqual(['query.pool', 'query.x']);
  });

  it('only a system admin may disconnect a leg (SPEC C-6)', async () => {
    for (const who of ['sv1', 'agent1']) {
      const r = await http(`${url}/api/v1/channels/did-leg`, { method: 'DELETE', token: tokens[who] });
      expect({ who, status: r.status, code: r.body.error?.code }).toEqual({ who, status: 403, code: 'AUTH.FORBIDDEN' });
    }
  });

  it('503 when no SIP edge takes the hang-up; the leg keeps its channel', async () => {
    const r = await http(`${url}/api/v1/channels/did-leg`, { method: 'DELETE', token: tokens.admin });
    expect(r).toMatchObject({ status: 503, body: { error: { code: 'CHANNEL.HANGUP_UNAVAILABLE' } } });
    const usage = await bus.request(CHANNEL_QUOTA_USAGE, {}, usageReplySchema);
    expect(usage.legs.map((l) => l.legId)).toContain('did-leg');
  });

  it('an admin disconnect asks the SIP edge to end the leg, naming who asked, and answers 202 with the leg', async () => {
    // Stand-in for sip-edge's hang-up subject (ending a real SIP call is the stack's end-to-end test).
    const asked: unknown[] = [];
    const sub = bus.connection.subscribe(SIP_EDGE_HANGUP, {
      callback: (_e, msg) => {
        asked.push(JSON.parse(msg.string()));
        msg.respond(Buffer.from(JSON.stringify({ legId: 'out-leg', ending: true })));
      },
    });
    try {
      const r = await http(`${url}/api/v1/channels/out-leg`, { method: 'DELETE', token: tokens.admin });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ legId: 'out-leg', hangup: 'requested', leg: { legId: 'out-leg', localParty: '1001' } });
      expect(asked).toEqual([{ legId: 'out-leg', reason: 'admin-disconnect' }]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('404 for a leg that holds no channel, whatever its id looks like; 414 past the router’s 100 characters', async () => {
    for (const id of ['no-such-leg', 'x'.repeat(100), '%E3%83%AC%E3%82%B0', "1'%20or%20'1'='1", '..%2F..%2Fetc'])
      expect(await http(`${url}/api/v1/channels/${id}`, { method: 'DELETE', token: tokens.admin })).toMatchObject({ status: 404, body: { error: { code: 'CHANNEL.NOT_FOUND' } } });
    expect((await http(`${url}/api/v1/channels/${'x'.repeat(129)}`, { method: 'DELETE', token: tokens.admin })).status).toBe(414);
  });

  it('503 (not 500) while channel-quota is down', async () => {
    await quota.stop();
    const r = await http(`${url}/api/v1/channels`, { token: tokens.admin });
    expect(r).toMatchObject({ status: 503, body: { error: { code: 'SERVICE.UNAVAILABLE' } } });
  });
});
