import { join } from 'node:path';
import { DIALPLAN_ROUTE, routeReplySchema, RouteQuery } from '@pbx/contracts';
import { NatsBus, runService, RunningService } from '@pbx/service-kit';
import { testNatsUrl } from '@pbx/testing';
import { DialplanModule } from '../src/dialplan.module';

const demo = join(__dirname, '../../../deploy/demo/provisioning.yaml');
const from1001 = { kind: 'extension', extension: '1001' } as const;

describe('dialplan over NATS (qry.v1.dialplan.route) on the demo provisioning', () => {
  let svc: RunningService;
  let bus: NatsBus;
  const route = (q: RouteQuery) => bus.request(DIALPLAN_ROUTE, q, routeReplySchema).then((r) => r.route);

  beforeAll(async () => {
    const config = { NATS_URL: testNatsUrl(), HTTP_HOST: '127.0.0.1', HTTP_PORT: 0, LOG_LEVEL: 'silent' as const, PROVISIONING_FILE: demo };
    svc = await runService({ service: 'dialplan', config, imports: [DialplanModule.register(config)] });
    bus = await NatsBus.connect(testNatsUrl(), 'dialplan-test');
  });
  afterAll(async () => {
    await bus?.close();
    await svc?.close();
  });

  it.each<[string, RouteQuery, object]>([
    ['N-1 / D-1 extension', { dialed: '1002', caller: from1001 }, { kind: 'extension', number: '1002', presentation: '1001' }],
    ['group, D-3 mobile member sees 8+group', { dialed: '6001', caller: from1001 }, { kind: 'group', number: '6001' }],
    ['call center', { dialed: '5001', caller: from1001 }, { kind: 'call-center', number: '5001' }],
    ['DID from the trunk', { dialed: '0312345679', caller: { kind: 'trunk', trunkId: 'carrier-a', callerNumber: '0311112222' } }, { kind: 'extension', number: '1001', did: '0312345679', presentation: '0311112222' }],
    ['N-2 external via trunk with notification number', { dialed: '09011112222', caller: from1001 }, { kind: 'external', trunkId: 'carrier-a', presentedNumber: '0312345678' }],
    ['N-3 directed pickup', { dialed: '91002', caller: from1001 }, { kind: 'pickup', extension: '1002' }],
    ['N-4 park slot retrieve', { dialed: '701', caller: from1001 }, { kind: 'park-retrieve', slot: '701' }],
    ['N-5 / D-2 federation', { dialed: '121001', caller: from1001 }, { kind: 'federation', serverId: 'osaka-1', extension: '1001', presentation: '111001' }],
    ['N-6 mobile 8 escape', { dialed: '81002', caller: { kind: 'extension', extension: '2001' } }, { kind: 'extension', number: '1002', presentation: '2001' }],
    ['N-7 unknown → 404', { dialed: '1999', caller: from1001 }, { kind: 'rejected', status: 404, code: 'DIALPLAN.UNKNOWN_NUMBER' }],
    ['N-7 incomplete → 484', { dialed: '10', caller: from1001 }, { kind: 'rejected', status: 484 }],
    ['N-7 letters → 400', { dialed: '1a', caller: from1001 }, { kind: 'rejected', status: 400 }],
  ])('%s', async (_name, query, expected) => {
    expect(await route(query)).toMatchObject(expected);
  });

  it('answers a malformed query with CONTRACT.INVALID_PAYLOAD, not a route', async () => {
    await expect(bus.request(DIALPLAN_ROUTE, { dialed: 1002, caller: { kind: 'fax' } }, routeReplySchema)).rejects.toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD' });
  });
});
