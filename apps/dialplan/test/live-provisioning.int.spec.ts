import { DIALPLAN_ROUTE, routeReplySchema, RouteQuery } from '@pbx/contracts';
import { createEventStore, EventStore, migrateEventStore, Relay, startRelay } from '@pbx/event-store';
import { applyProvisioning } from '@pbx/provisioning-store';
import { NatsBus, runService, RunningService } from '@pbx/service-kit';
import { createTestDatabase, eventually, testNatsUrl, testServerId, writeTestProvisioning } from '@pbx/testing';
import { configSchema } from '../src/config';
import { DialplanModule } from '../src/dialplan.module';

const from1001 = { kind: 'extension', extension: '1001' } as const;

function document(serverId: string, extensions: string[]) {
  return {
    server: { id: serverId, domain: `${serverId}.pbx.test`, channelLimit: 10, mobileChannelLimit: 5, defaultNotificationNumber: '0312345678' },
    trunks: [{ id: 'carrier-a', host: '127.0.0.1', dids: ['0312345678'] }],
    extensions: extensions.map((number) => ({ number, kind: 'softphone', name: `Phone ${number}`, password: `s3cret-${number}` })),
  };
}

// Issue #4: a running dialplan takes a newly applied provisioning without restart. Real store,
// real relay (the one history-projector runs in the stack), real NATS.
describe('dialplan follows the applied provisioning (no restart)', () => {
  const serverId = testServerId('dp');
  let store: EventStore;
  let relay: Relay;
  let svc: RunningService;
  let bus: NatsBus;
  const route = (q: RouteQuery) => bus.request(DIALPLAN_ROUTE, q, routeReplySchema).then((r) => r.route);
  const apply = (extensions: string[]) => applyProvisioning(store, document(serverId, extensions), { source: 'live-provisioning.int.spec' });

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase('dp');
    await migrateEventStore(databaseUrl);
    store = createEventStore({ connectionString: databaseUrl, poolSize: 2 });
    relay = await startRelay({ connectionString: databaseUrl, nats: testNatsUrl() });
    // The boot file knows 1001 and 1002; the store already holds a later document with 1005.
    const file = writeTestProvisioning(serverId, document(serverId, ['1001', '1002']));
    await apply(['1001', '1002', '1005']);
    const config = configSchema.parse({ NATS_URL: testNatsUrl(), DATABASE_URL: databaseUrl, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: 'silent', PROVISIONING_FILE: file });
    svc = await runService({ service: 'dialplan', config, imports: [DialplanModule.register(config)] });
    bus = await NatsBus.connect(testNatsUrl(), 'dialplan-live-test');
  });
  afterAll(async () => {
    await bus?.close();
    await svc?.close();
    await relay?.stop();
    await store?.close();
  });

  it('boots on the stored document, not the older file', async () => {
    await expect(route({ dialed: '1005', caller: from1001 })).resolves.toMatchObject({ kind: 'extension', number: '1005', presentation: '1001' });
    await expect(route({ dialed: '1003', caller: from1001 })).resolves.toMatchObject({ kind: 'rejected', status: 404 });
  });

  it('answers a number added by a second apply, and stops answering one removed by a third', async () => {
    await apply(['1001', '1002', '1005', '1003']);
    await expect(eventually('1003 to route', async () => ((await route({ dialed: '1003', caller: from1001 })).kind === 'extension' ? true : undefined))).resolves.toBe(true);
    await expect(route({ dialed: '1003', caller: { kind: 'extension', extension: '1002' } })).resolves.toMatchObject({ kind: 'extension', number: '1003', presentation: '1002' });

    await apply(['1001', '1002', '1003']);
    await eventually('1005 to be gone', async () => ((await route({ dialed: '1005', caller: from1001 })).kind === 'rejected' ? true : undefined));
    await expect(route({ dialed: '1005', caller: from1001 })).resolves.toMatchObject({ kind: 'rejected', status: 404, code: 'DIALPLAN.UNKNOWN_NUMBER' });
    await expect(route({ dialed: '1003', caller: from1001 })).resolves.toMatchObject({ kind: 'extension', number: '1003' });
  });

  it('reports the version it routes on in /metrics', async () => {
    const text = await (await fetch(`${svc.httpUrl}/metrics`)).text();
    expect(text).toMatch(/pbx_dialplan_provisioning_version\{[^}]*\} 3/);
  });
});
