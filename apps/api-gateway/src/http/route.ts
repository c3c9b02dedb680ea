import { applyDecorators, createParamDecorator, ExecutionContext, HttpCode, RequestMethod, RequestMapping, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Role } from '@pbx/provisioning';
import { ZodTypeAny } from 'zod';
import { InputSchemas, ParsedInput, parseRequestInput } from './request-input';

// One declaration per route drives three things: the HTTP mapping, validation of its input
// (the same zod schemas as the NATS contracts where they exist) and its OpenAPI description.

export const ROUTE_SPEC = 'pbx:api-route';

export interface RouteResponse {
  description: string;
  /** JSON body; absent for an empty reply. */
  schema?: ZodTypeAny;
  /** Non-JSON reply (the CSV download). */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteSpec<S extends InputSchemas = InputSchemas> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Relative to the controller's path; Nest syntax (`:id`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** `public`: no token (login only). Otherwise the roles allowed (SPEC A-1). */
  access: 'public' | readonly Role[];
  input: S;
  /** The success status comes first; error replies the route can give besides the common ones. */
  responses: Record<number, RouteResponse>;
}

export const ALL_ROLES: readonly Role[] = ['system-admin', 'supervisor', 'user'];

export function defineRoute<S extends InputSchemas>(spec: RouteSpec<S>): RouteSpec<S> {
  return spec;
}

export function successStatus(spec: RouteSpec): number {
  const ok = Object.keys(spec.responses)
    .map(Number)
    .find((s) => s >= 200 && s < 300);
  if (ok === undefined) throw new Error(`route ${spec.operationId} declares no success response`);
  return ok;
}

const methods = { GET: RequestMethod.GET, POST: RequestMethod.POST, DELETE: RequestMethod.DELETE } as const;

/** Maps the handler and records its spec (read by the auth guard, @Input and the OpenAPI builder). */
export function Route(spec: RouteSpec): MethodDecorator {
  return applyDecorators(RequestMapping({ path: spec.path, method: methods[spec.method] }), HttpCode(successStatus(spec)), SetMetadata(ROUTE_SPEC, spec));
}

/** The handler's validated params, query and body, typed from its spec; a 400 listing every fault otherwise. */
export const Input = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const spec = Reflect.getMetadata(ROUTE_SPEC, ctx.getHandler()) as RouteSpec | undefined;
  if (!spec) throw new Error(`@Input() on ${ctx.getClass().name}.${ctx.getHandler().name}, which has no @Route()`);
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  return parseRequestInput(spec.input, { params: req.params, query: req.query, body: req.body });
});

export type RouteInput<R> = R extends RouteSpec<infer S> ? ParsedInput<S> : never;
