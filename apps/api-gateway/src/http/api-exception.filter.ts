import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { LOGGER, RemoteError } from '@pbx/service-kit';
import { API_ERRORS, ApiError } from './api-error';
import { fromRemoteError } from './remote-errors';

const statusCodes: Record<number, string> = {
  400: API_ERRORS.invalid,
  401: API_ERRORS.unauthenticated,
  403: API_ERRORS.forbidden,
  404: API_ERRORS.routeNotFound,
  405: 'REQUEST.METHOD_NOT_ALLOWED',
  406: 'REQUEST.NOT_ACCEPTABLE',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  429: API_ERRORS.tooManyAttempts,
};

/** A 4xx that Nest or Fastify raised (an HttpException, or an error carrying `statusCode`). */
function clientError(e: unknown): ApiError | undefined {
  const status = e instanceof HttpException ? e.getStatus() : typeof e === 'object' && e !== null && typeof (e as { statusCode?: unknown }).statusCode === 'number' ? (e as { statusCode: number }).statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const message = e instanceof HttpException ? e.message : (e as Error).message ?? 'bad request';
  return new ApiError(status, statusCodes[status] ?? 'REQUEST.REFUSED', message);
}

/** Whatever a route throws, as `{ error: { code, message, … } }` with its status (SPEC B-2). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof RemoteError) return fromRemoteError(e);
  return clientError(e) ?? new ApiError(500, API_ERRORS.internal, 'internal error');
}

/**
 * The gateway's HTTP error mapping, in one place (STYLE.md). Set on every API controller
 * (ApiController): service-kit's global filter stays in charge of NATS handlers.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const e = toApiError(exception);
    if (e.status >= 500) {
      this.logger.error({ err: exception instanceof Error ? exception : String(exception), code: e.code, ...(exception instanceof RemoteError ? { remoteCode: exception.code } : {}) }, 'request failed');
    }
    if (reply.sent) return; // a stream that broke mid-way: nothing more can be said to the client
    void reply.status(e.status).headers(e.headers).send(e.body());
  }
}
