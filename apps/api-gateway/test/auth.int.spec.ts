import { createHmac } from 'node:crypto';
import { RunningService } from '@pbx/service-kit';
import { bootGateway, gatewayConfig, http, login, PASSWORDS, writeGatewayProvisioning } from './support';

// SPEC A-2: every REST call is authenticated; denials leak nothing. Login per docs/api.md.
describe('login and tokens (SPEC A-1, A-2)', () => {
  let gw: RunningService;
  let url: string;
  let now = Date.parse('2026-03-01T09:00:00Z');
  const secret = 'int-test-secret-int-test-secret-0123456789';

  beforeAll(async () => {
    const p = writeGatewayProvisioning();
    gw = await bootGateway(gatewayConfig({ PROVISIONING_FILE: p.file, JWT_TTL_SECONDS: '600', JWT_SECRET: secret }), () => now);
    url = gw.httpUrl;
  });
  afterAll(async () => {
    await gw?.close();
  });

  const loginAs = (body: unknown, headers: Record<string, string> = {}) => http(`${url}/api/v1/auth/login`, { method: 'POST', json: body, headers });
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

  it('answers a token whose claims carry the login, role and grants', async () => {
    const r = await loginAs({ login: 'sv1', password: PASSWORDS.sv1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 600 });
    const claims = claimsOf(r.body.accessToken as string);
    expect(claims).toEqual({ sub: 'sv1', role: 'supervisor', grants: { callCenters: ['5001'], numbers: ['0312345679'] }, iss: 'pbx-api-gateway', iat: now / 1000, exp: now / 1000 + 600 });
  });

  it('answers the very same 401 for an unknown login and for a wrong password (no enumeration)', async () => {
    const unknown = await loginAs({ login: 'nobody-here', password: 'whatever-1' });
    const wrong = await loginAs({ login: 'admin', password: 'whatever-1' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.text).toBe(wrong.text);
    expect(wrong.body).toEqual({ error: { code: 'AUTH.INVALID_CREDENTIALS', message: 'invalid login or password' } });
  });

  it('refuses odd login bodies with 400 and field errors, never a 500', async () => {
    const cases: [RequestInit & { json?: unknown }, string[]][] = [
      [{ json: {} }, ['body.login', 'body.password']],
      [{ json: { login: 123, password: ['x'] } }, ['body.login', 'body.password']],
      [{ json: { login: 'a'.repeat(65), password: 'x' } }, ['body.login']],
      [{ json: { login: 'admin', password: 'admin-pass-1', role: 'system-admin' } }, ['body.role']],
      [{ json: 'admin:admin-pass-1' }, ['body']],
      [{ json: null }, ['body']],
      [{ body: '{"login": "admin", "password": ', headers: { 'content-type': 'application/json' } }, ['body']],
      [{ body: '{"login": "admin", "password": "x", "__proto__": {"role": "system-admin"}}', headers: { 'content-type': 'application/json' } }, ['body.__proto__']],
      [{ body: 'login=admin&password=x', headers: { 'content-type': 'text/plain' } }, ['body']],
      [{}, ['body']],
    ];
    for (const [init, paths] of cases) {
      const r = await http(`${url}/api/v1/auth/login`, { method: 'POST', ...init });
      expect({ status: r.status, code: r.body.error?.code }).toEqual({ status: 400, code: 'REQUEST.INVALID' });
      expect((r.body.error?.fields as { path: string }[]).map((f) => f.path).sort()).toEqual(paths);
    }
    const huge = await http(`${url}/api/v1/auth/login`, { method: 'POST', json: { login: 'admin', password: 'x'.repeat(2 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error?.code).toBe('REQUEST.TOO_LARGE');
  });

  it('every API route but login answers 401 without a valid token, the same body whatever is wrong', async () => {
    const good = await login(url, 'admin');
    const [h, p] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claimsOf(good), role: 'system-admin', sub: 'sv1' })).toString('base64url');
    const noneAlg = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    const otherKey = `${h}.${p}.${createHmac('sha256', 'another-secret-another-secret-0123456789').update(`${h}.${p}`).digest('base64url')}`;
    const headers: (string | undefined)[] = [undefined, '', 'Bearer', `Basic ${Buffer.from('admin:admin-pass-1').toString('base64')}`, `Bearer ${h}.${forged}.${good.split('.')[2]}`, `Bearer ${noneAlg}`, `Bearer ${otherKey}`, `Bearer ${good} x`, `Bearer  ${good}`];
    const routes = ['GET /api/v1/call-logs', 'GET /api/v1/channels', 'DELETE /api/v1/channels/leg-1', 'GET /api/v1/async-searches', 'POST /api/v1/async-searches', 'GET /api/v1/async-searches/x', 'GET /api/v1/async-searches/x/download', 'DELETE /api/v1/async-searches/x', 'POST /api/v1/async-searches/x/retry'];
    for (const route of routes) {
      const [method, path] = route.split(' ');
      for (const authorization of headers) {
        const r = await http(`${url}${path}`, { method, headers: authorization === undefined ? {} : { authorization } });
        expect({ route, authorization, status: r.status, body: r.body }).toEqual({ route, authorization, status: 401, body: { error: { code: 'AUTH.UNAUTHENTICATED', message: 'authentication required' } } });
        expect(r.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
  });

  it('a token stops working when it expires', async () => {
    const token = await login(url, 'agent1');
    now += 599_000;
    expect((await http(`${url}/api/v1/async-searches/x/download`, { token })).status).not.toBe(401);
    now += 1_000;
    expect((await http(`${url}/api/v1/async-searches/x/download`, { token })).status).toBe(401);
  });

  it('limits failed logins per login: the 6th in a minute is 429 with Retry-After, even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await loginAs({ login: 'agent2', password: `wrong-${i}` }, {})).status).toBe(401);
    const refused = await loginAs({ login: 'agent2', password: PASSWORDS.agent2 });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'AUTH.TOO_MANY_ATTEMPTS', retryAfterSeconds: 60 });
    expect(refused.headers.get('retry-after')).toBe('60');
    // Another login is not affected; after the window the right password works again.
    expect((await loginAs({ login: 'nodevice', password: PASSWORDS.nodevice })).status).toBe(200);
    now += 60_000;
    expect((await loginAs({ login: 'agent2', password: PASSWORDS.agent2 })).status).toBe(200);
  });

  it('counts logins by outcome in /metrics', async () => {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/pbx_api_logins_total\{outcome="ok"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/pbx_api_logins_total\{outcome="refused"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/pbx_api_logins_total\{outcome="throttled"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/pbx_http_requests_total\{route="POST \/api\/v1\/auth\/login",status="429"/);
  });

  it('limits failed logins per client address too (20 a minute by default), across login names', async () => {
    now += 120_000;
    let status = 0;
    let n = 0;
    for (; n < 25 && status !== 429; n++) status = (await loginAs({ login: `guess-${n}`, password: 'x-12345678' })).status;
    expect(status).toBe(429);
    expect(n).toBe(21);
    expect((await loginAs({ login: 'admin', password: PASSWORDS.admin })).status).toBe(429); // the address is blocked
    now += 60_000;
    expect((await loginAs({ login: 'admin', password: PASSWORDS.admin })).status).toBe(200);
  });
});
