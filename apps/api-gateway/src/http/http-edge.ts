import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Metrics } from '@pbx/service-kit';
import { toApiError } from './api-exception.filter';
import { INVALID_JSON_BODY, UNSUPPORTED_BODY } from './request-input';

const PARSERS_SET = Symbol.for('pbx.api-gateway.body-parsers');

/**
 * Fastify-level settings of the gateway's HTTP edge:
 * - JSON bodies are parsed without throwing: a body that is not JSON, or not declared as JSON,
 *   reaches validation as a marker and is answered as a field error (SPEC B-2), not as
 *   Fastify's own error shape;
 * - errors that Nest answers for Fastify before a route's handler runs (unknown route, body too
 *   large) get the API's error shape under /api too, instead of Nest's default
 *   `{ statusCode, message }` (a malformed URL is answered by Fastify itself, in its own shape);
 * - every API reply is counted in `pbx_http_requests_total` by route pattern and status.
 */
@Injectable()
export class HttpEdge implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly host: HttpAdapterHost,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const adapter = this.host.httpAdapter as (HttpAdapterHost['httpAdapter'] & { isParserRegistered?: boolean }) | undefined;
    const fastify = adapter?.getInstance<FastifyInstance>();
    // A hybrid app (HTTP + NATS) runs init hooks twice: first for the NATS side, before Nest
    // registers its body parsers, then for HTTP, after. Replace Nest's parser on the HTTP pass, once.
    if (!adapter || !fastify || !adapter.isParserRegistered) return;
    const marks = fastify as unknown as Record<symbol, boolean>;
    if (marks[PARSERS_SET]) return;
    marks[PARSERS_SET] = true;

    // Fastify's own text/plain parser would hand a string to validation; '*' below says what is wrong instead.
    for (const type of ['application/json', 'text/plain']) if (fastify.hasContentTypeParser(type)) fastify.removeContentTypeParser(type);
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(null, INVALID_JSON_BODY);
      }
    });
    fastify.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, UNSUPPORTED_BODY));

    fastify.addHook('onSend', (req, reply, payload, done) => {
      if (reply.statusCode < 400 || typeof payload !== 'string' || !req.url.startsWith('/api/')) return done(null, payload);
      const framework = frameworkError(payload);
      if (!framework) return done(null, payload);
      const e = toApiError(Object.assign(new Error(framework.message), { statusCode: framework.statusCode }));
      done(null, JSON.stringify(e.body()));
    });

    fastify.addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions.url;
      if (route?.startsWith('/api/')) this.metrics.httpRequests.inc({ route: `${req.method} ${route}`, status: String(reply.statusCode) });
      done();
    });
  }
}

/** Nest's default error body (`{ statusCode, message, error? }`), which the gateway's own errors never are. */
function frameworkError(payload: string): { statusCode: number; message: string } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { statusCode, message, error } = body as Record<string, unknown>;
  if (typeof statusCode !== 'number' || message === undefined || (typeof error === 'object' && error !== null)) return undefined;
  return { statusCode, message: Array.isArray(message) ? message.join('; ') : String(message) };
}
