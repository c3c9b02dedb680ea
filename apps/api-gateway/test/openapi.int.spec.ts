import { RunningService } from '@pbx/service-kit';
import { API_CONTROLLERS } from '../src/api-gateway.module';
import { documentedRoutes } from '../src/openapi/openapi.document';
import { bootGateway, gatewayConfig, http, writeGatewayProvisioning } from './support';

// The OpenAPI document at /api/docs-json and Swagger UI at /api/docs, over plain HTTP.
describe('OpenAPI at /api/docs', () => {
  let gw: RunningService;
  let url: string;

  beforeAll(async () => {
    gw = await bootGateway(gatewayConfig({ PROVISIONING_FILE: writeGatewayProvisioning().file }));
    url = gw.httpUrl;
  });
  afterAll(async () => {
    await gw?.close();
  });

  // Every route the controllers declare (the list itself is pinned in openapi.document.spec.ts).
  const expected = documentedRoutes(API_CONTROLLERS).map((r) => `${r.method} ${r.path}`);

  it('lists every path of the API, each with its responses, without a token', async () => {
    const r = await http(`${url}/api/docs-json`);
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.0.0');
    const paths = r.body.paths as Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    const listed = Object.entries(paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    expect(expected.length).toBeGreaterThan(0);
    expect(listed.sort()).toEqual([...expected].sort());
    for (const item of Object.values(paths)) for (const op of Object.values(item)) expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
  });

  it('documents only routes that exist: each answers (401 without a token), none is a 404', async () => {
    for (const op of expected) {
      const [method, path] = op.split(' ');
      const r = await http(`${url}${path.replace(/\{[^}]+\}/g, 'some-id')}`, { method, ...(method === 'POST' ? { json: {} } : {}) });
      expect({ op, status: r.status }).toEqual({ op, status: path === '/api/v1/auth/login' ? 400 : 401 });
    }
  });

  it('serves Swagger UI and the files it loads', async () => {
    const page = await http(`${url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs).toEqual(expect.arrayContaining(['/api/docs/swagger-ui.css', '/api/docs/swagger-ui-bundle.js', '/api/docs/swagger-initializer.js']));
    for (const ref of refs) expect({ ref, status: (await fetch(`${url}${ref}`)).status }).toEqual({ ref, status: 200 });
    expect((await http(`${url}/api/docs/swagger-initializer.js`)).text).toContain("url: '/api/docs-json'");
    // Nothing else of the package folder is reachable through the asset route.
    for (const other of ['package.json', 'index.html', '..%2F..%2Fpackage.json', 'absolute-path.js']) expect((await http(`${url}/api/docs/${other}`)).status).toBe(404);
  });

  it('answers an unknown API path with 404 in the API’s error shape', async () => {
    const r = await http(`${url}/api/v1/no-such-thing`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: 'REQUEST.NOT_FOUND', message: 'Cannot GET /api/v1/no-such-thing' } });
  });
});
