import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEventStore, EventStore, migrateEventStore, Relay, startRelay } from '@pbx/event-store';
import { applyProvisioning } from '@pbx/provisioning-store';
import { RunningService } from '@pbx/service-kit';
import { createTestDatabase, eventually, testDir, testNatsUrl, uniqueName } from '@pbx/testing';
import { bootGateway, gatewayConfig, http } from './support';

interface TestAccount {
  login: string;
  role: 'system-admin' | 'supervisor' | 'user';
  password: string;
}

function document(serverId: string, accounts: TestAccount[]) {
  return {
    server: { id: serverId, domain: `${serverId}.pbx.test`, channelLimit: 10, mobileChannelLimit: 2, defaultNotificationNumber: '0312345678' },
    trunks: [{ id: 'carrier-a', host: '127.0.0.1', dids: ['0312345678'] }],
    extensions: [{ number: '1001', kind: 'softphone', name: 'Sato', password: 's3cret-1001' }],
    callCenters: [{ number: '5001', name: 'Support', agents: [] }],
    dids: [{ number: '0312345678', target: '5001' }],
    accounts: accounts.map((a) => ({ ...a, ...(a.role === 'supervisor' ? { grants: { callCenters: ['5001'] } } : {}) })),
  };
}

const admin: TestAccount = { login: 'admin', role: 'system-admin', password: 'admin-pass-1' };
const sv1: TestAccount = { login: 'sv1', role: 'supervisor', password: 'sv1-pass-1' };
const early: TestAccount = { login: 'early', role: 'user', password: 'early-pass-1' };
// A user without a sign-in device: its call-log search is answered by the gateway alone
// ({items: [], total: 0}, docs/api.md), so its requests need no service behind the gateway.
const late: TestAccount = { login: 'late', role: 'user', password: 'late-pass-1' };

// Issue #4, SPEC §11, A-1, A-2: a running gateway takes the accounts, roles and grants of a newly
// applied provisioning without restart. Real store, the relay history-projector runs in the
// stack (started here the same way), real NATS; the gateway in-process as main.ts boots it.
describe('api-gateway follows the applied provisioning (no restart)', () => {
  const serverId = uniqueName('gwlive').replace(/_/g, '-');
  let store: EventStore;
  let relay: Relay;
  let gw: RunningService;
  let fileOnly: RunningService;
  let url: string;
  const apply = (accounts: TestAccount[]) => applyProvisioning(store, document(serverId, accounts), { source: 'live-provisioning.int.spec' });
  const loginAs = (a: TestAccount, password = a.password, base = url) => http(`${base}/api/v1/auth/login`, { method: 'POST', json: { login: a.login, password } });
  const tokenOf = async (a: TestAccount): Promise<string> => {
    const r = await loginAs(a);
    if (r.status !== 200) throw new Error(`login ${a.login}: ${r.status} ${r.text}`);
    return r.body.accessToken as string;
  };
  const versionInForce = async (): Promise<number> => Number(/^pbx_api_provisioning_version(?:\{[^}]*\})? (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? NaN);
  const untilVersion = (v: number) => eventually(`provisioning version ${v} in force at the gateway`, async () => (await versionInForce()) === v, 15_000);

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase('gwlive');
    await migrateEventStore(databaseUrl);
    store = createEventStore({ connectionString: databaseUrl, poolSize: 2 });
    relay = await startRelay({ connectionString: databaseUrl, nats: testNatsUrl() });
    // The boot file knows admin and sv1; the store already holds a later document with `early`.
    const file = join(testDir(), `${serverId}.provisioning.yaml`);
    writeFileSync(file, JSON.stringify(document(serverId, [admin, sv1]))); // JSON is YAML
    await apply([admin, sv1, early]);
    gw = await bootGateway(gatewayConfig({ PROVISIONING_FILE: file, DATABASE_URL: databaseUrl }));
    url = gw.httpUrl;
    // Today's behaviour without DATABASE_URL, side by side: the file, hashed at boot, for good.
    fileOnly = await bootGateway(gatewayConfig({ PROVISIONING_FILE: file }));
  });
  afterAll(async () => {
    await fileOnly?.close();
    await gw?.close();
    await relay?.stop();
    await store?.close();
  });

  it('boots on the stored document (its scrypt hashes verified as they are), not the older file', async () => {
    expect(await versionInForce()).toBe(1);
    expect((await loginAs(early)).status).toBe(200);
    expect((await loginAs(admin)).status).toBe(200);
    // Without DATABASE_URL: the file's accounts only.
    expect((await loginAs(early, early.password, fileOnly.httpUrl)).status).toBe(401);
    expect((await loginAs(admin, admin.password, fileOnly.httpUrl)).status).toBe(200);
  });

  it('an account added by a second apply logs in without a restart', async () => {
    expect((await loginAs(late)).status).toBe(401);
    const started = Date.now();
    const applied = await apply([admin, sv1, early, late]);
    const stored = Date.now();
    expect(applied).toMatchObject({ status: 'applied', version: 2 });
    await untilVersion(2);
    const token = await tokenOf(late);
    process.stdout.write(`api-gateway: account added by apply ${applied.version}: apply took ${stored - started} ms; in force and logged in ${Date.now() - stored} ms after it returned\n`);
    const search = await http(`${url}/api/v1/call-logs`, { token });
    expect({ status: search.status, body: search.body }).toEqual({ status: 200, body: { items: [], total: 0 } });
    // The gateway without DATABASE_URL keeps the file it booted with.
    expect((await loginAs(late, late.password, fileOnly.httpUrl)).status).toBe(401);
  });

  it('a third apply that removes an account refuses its token at its next request; a changed role and a changed password apply to tokens already issued as documented', async () => {
    const lateToken = await tokenOf(late);
    const svToken = await tokenOf(sv1);
    const adminToken = await tokenOf(admin);
    expect((await http(`${url}/api/v1/call-logs`, { token: lateToken })).status).toBe(200);
    // As a supervisor, sv1 may ask for channel usage (nothing answers behind the gateway here: 503, not 403).
    expect((await http(`${url}/api/v1/channels`, { token: svToken })).status).toBe(503);

    await apply([{ ...admin, password: 'admin-pass-2' }, { ...sv1, role: 'user' }, early]);
    await untilVersion(3);

    // Removed: its unexpired token is refused at the next request (roles and grants are read
    // per request from the document in force), and it cannot log in again.
    const refused = await http(`${url}/api/v1/call-logs`, { token: lateToken });
    expect({ status: refused.status, body: refused.body }).toEqual({ status: 401, body: { error: { code: 'AUTH.UNAUTHENTICATED', message: 'authentication required' } } });
    expect((await loginAs(late)).status).toBe(401);
    // Role changed supervisor → user: the same token is now denied the supervisors' route.
    expect((await http(`${url}/api/v1/channels`, { token: svToken })).status).toBe(403);
    // Password changed: the old one is refused, the new one works; a token issued before the
    // change stays valid until it expires (a token does not carry the password).
    expect((await loginAs(admin)).status).toBe(401);
    expect((await loginAs(admin, 'admin-pass-2')).status).toBe(200);
    expect((await http(`${url}/api/v1/async-searches/x/download`, { token: adminToken })).status).not.toBe(401);
  });

  it('re-applying the document in force changes nothing', async () => {
    // Re-applying the document in force stays quiet; the gateway is still on version 3.
    await expect(apply([{ ...admin, password: 'admin-pass-2' }, { ...sv1, role: 'user' }, early])).resolves.toMatchObject({ status: 'unchanged', version: 3 });
    expect(await versionInForce()).toBe(3);
    expect((await loginAs(late)).status).toBe(401);
  });
});
