import { Controller, Get } from '@nestjs/common';
import { API_CONTROLLERS } from '../api-gateway.module';
import { buildOpenApiDocument, documentedRoutes } from './openapi.document';

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument(API_CONTROLLERS);

  it('lists every route of the issue with its operation', () => {
    const ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(ops.sort()).toEqual(
      [
        'POST /api/v1/auth/login',
        'GET /api/v1/call-logs',
        'GET /api/v1/channels',
        'DELETE /api/v1/channels/{legId}',
        'POST /api/v1/async-searches',
        'GET /api/v1/async-searches',
        'GET /api/v1/async-searches/{id}',
        'GET /api/v1/async-searches/{id}/download',
        'DELETE /api/v1/async-searches/{id}',
        'POST /api/v1/async-searches/{id}/retry',
      ].sort(),
    );
  });

  it('marks every route but login as needing the bearer token, and documents 401 there', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of [item.get, item.post, item.delete].filter((o) => o !== undefined)) {
        if (path === '/api/v1/auth/login') expect(op.security).toBeUndefined();
        else {
          expect(op.security).toEqual([{ bearer: [] }]);
          expect(op.responses['401']).toBeDefined();
        }
      }
    }
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents request and response schemas from the zod schemas', () => {
    const login = doc.paths['/api/v1/auth/login'].post;
    expect(login?.requestBody).toMatchObject({ content: { 'application/json': { schema: { type: 'object', required: ['login', 'password'], additionalProperties: false } } } });
    const search = doc.paths['/api/v1/call-logs'].get;
    expect(search?.responses['422']).toMatchObject({ content: { 'application/json': { schema: { properties: { error: { required: ['code', 'message', 'limit', 'asyncSearch'] } } } } } });
    expect(doc.paths['/api/v1/channels/{legId}'].delete?.responses['403']).toBeDefined();
    expect(doc.paths['/api/v1/channels/{legId}'].delete?.parameters).toEqual([{ name: 'legId', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 128 } }]);
    expect(doc.paths['/api/v1/async-searches/{id}/download'].get?.responses['200']).toMatchObject({ content: { 'text/csv': {} } });
  });

  it('refuses a mapped handler without a @Route() spec (no access rule, no documentation)', () => {
    @Controller('api/v1/x')
    class Careless {
      @Get()
      leak() {
        return 1;
      }
    }
    expect(() => documentedRoutes([Careless])).toThrow(/Careless.leak is mapped without @Route/);
  });
});
