import { Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DocumentBuilder, OpenAPIObject, OperationObject, ParameterObject, PathItemObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { ZodTypeAny } from 'zod';
import { apiErrorReplySchema, invalidRequestReplySchema } from '../http/api-error';
import { ALL_ROLES, ROUTE_SPEC, RouteSpec } from '../http/route';
import { isOptional, objectShapeOf, zodToJsonSchema } from './zod-json-schema';

export interface DocumentedRoute {
  method: RouteSpec['method'];
  /** OpenAPI form: `/api/v1/async-searches/{id}`. */
  path: string;
  spec: RouteSpec;
}

/**
 * Every handler of the given controllers with its spec. A handler that Nest maps but that has
 * no @Route() spec is an error: an undocumented (and unguarded by role) route cannot ship.
 */
export function documentedRoutes(controllers: readonly Type<unknown>[]): DocumentedRoute[] {
  const routes: DocumentedRoute[] = [];
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const spec = Reflect.getMetadata(ROUTE_SPEC, handler) as RouteSpec | undefined;
      const mapped = Reflect.getMetadata(METHOD_METADATA, handler) !== undefined;
      if (mapped && !spec) throw new Error(`${controller.name}.${name} is mapped without @Route(): no access rule and no documentation`);
      if (!spec) continue;
      const path = `/${[base, spec.path].filter((p) => p !== '').join('/')}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      routes.push({ method: spec.method, path, spec });
    }
  }
  return routes;
}

const schema = (s: ZodTypeAny): SchemaObject => zodToJsonSchema(s) as SchemaObject;
const json = (s: ZodTypeAny) => ({ 'application/json': { schema: schema(s) } });

function parameters(spec: RouteSpec): ParameterObject[] {
  const out: ParameterObject[] = [];
  for (const where of ['path', 'query'] as const) {
    const s = where === 'path' ? spec.input.params : spec.input.query;
    if (!s) continue;
    for (const [name, field] of Object.entries(objectShapeOf(s))) {
      const p: ParameterObject = { name, in: where, required: where === 'path' || !isOptional(field), schema: schema(field) };
      if (field.description) p.description = field.description;
      out.push(p);
    }
  }
  return out;
}

function responses(spec: RouteSpec): Record<string, ResponseObject> {
  const out: Record<string, ResponseObject> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    const res: ResponseObject = { description: r.description };
    if (r.schema) res.content = json(r.schema);
    if (r.contentType) res.content = { [r.contentType]: { schema: { type: 'string', format: 'binary' } } };
    if (r.headers) res.headers = Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]));
    out[status] = res;
  }
  const hasInput = spec.input.params || spec.input.query || spec.input.body;
  if (hasInput && !out['400']) out['400'] = { description: 'REQUEST.INVALID: every invalid field, listed (SPEC B-2)', content: json(invalidRequestReplySchema) };
  if (spec.access !== 'public') {
    out['401'] ??= { description: 'AUTH.UNAUTHENTICATED: no valid token (SPEC A-2)', content: json(apiErrorReplySchema) };
    if (spec.access.length < ALL_ROLES.length) out['403'] ??= { description: `AUTH.FORBIDDEN: only ${spec.access.join(', ')} (SPEC A-1)`, content: json(apiErrorReplySchema) };
    out['503'] ??= { description: 'SERVICE.UNAVAILABLE: a service behind the gateway did not answer', content: json(apiErrorReplySchema) };
  }
  return out;
}

function operation(spec: RouteSpec, tag: string): OperationObject {
  const op: OperationObject = {
    operationId: spec.operationId,
    summary: spec.summary,
    tags: [tag],
    parameters: parameters(spec),
    responses: responses(spec),
  };
  const roles = spec.access === 'public' ? 'Public.' : `Roles: ${spec.access.join(', ')}.`;
  op.description = [spec.description, roles].filter(Boolean).join('\n\n');
  if (spec.access !== 'public') op.security = [{ bearer: [] }];
  if (spec.input.body) op.requestBody = { required: true, content: json(spec.input.body) };
  return op;
}

/** The OpenAPI document of the admin REST API, derived from the routes' specs (their zod schemas). */
export function buildOpenApiDocument(controllers: readonly Type<unknown>[]): OpenAPIObject {
  const doc = new DocumentBuilder()
    .setTitle('PBX admin portal API')
    .setDescription('REST for the admin portal (SPEC §11): log in, search call logs, channel usage, async searches. Errors: `{ error: { code, message, … } }` (docs/api.md).')
    .setVersion('v1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'POST /api/v1/auth/login answers the token' }, 'bearer')
    .build();
  const paths: Record<string, PathItemObject> = {};
  for (const r of documentedRoutes(controllers)) {
    const tag = r.path.split('/')[3] ?? 'api';
    const item = (paths[r.path] ??= {});
    const method = r.method.toLowerCase() as 'get' | 'post' | 'delete';
    if (item[method]) throw new Error(`two routes for ${r.method} ${r.path}`);
    item[method] = operation(r.spec, tag);
  }
  return { ...doc, paths };
}
