import { z } from 'zod';

// The gateway's error replies (SPEC B-2, A-2): `{ error: { code: 'AREA.REASON', message, … } }`.
// Codes the gateway makes itself are here; downstream codes are translated in remote-errors.ts.
// Both become HTTP in one place, the exception filter (STYLE.md: mapped once per transport).

export const API_ERRORS = {
  /** 400: the request breaks its schema; `fields` lists every fault (SPEC B-2). */
  invalid: 'REQUEST.INVALID',
  /** 404: no such route. */
  routeNotFound: 'REQUEST.NOT_FOUND',
  /** 401: no token, or one that is not valid now. Says nothing more (SPEC A-2). */
  unauthenticated: 'AUTH.UNAUTHENTICATED',
  /** 401 from login: wrong login or wrong password, the same answer for both (no enumeration). */
  invalidCredentials: 'AUTH.INVALID_CREDENTIALS',
  /** 403: the role may not do this (SPEC A-1). */
  forbidden: 'AUTH.FORBIDDEN',
  /** 429 from login, with Retry-After. */
  tooManyAttempts: 'AUTH.TOO_MANY_ATTEMPTS',
  /** 409: the async search has no result to download yet. */
  resultNotReady: 'ASYNC_SEARCH.RESULT_NOT_READY',
  /** 503: a service behind the gateway did not answer. */
  unavailable: 'SERVICE.UNAVAILABLE',
  /** 502: a service behind the gateway answered something unexpected. */
  badGateway: 'SERVICE.BAD_REPLY',
  internal: 'INTERNAL.ERROR',
} as const;

export interface FieldError {
  /** Where: `query.limit`, `body.conditions.from`, `params.id`, or `body` for the body as a whole. */
  path: string;
  message: string;
}

/** An error the gateway answers on purpose, with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra members of the `error` object (`fields`, `limit`, `retryAfterSeconds`, …). */
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

export const invalidRequest = (fields: FieldError[]): ApiError =>
  new ApiError(400, API_ERRORS.invalid, `invalid request: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, { fields });

export const unauthenticated = (): ApiError => new ApiError(401, API_ERRORS.unauthenticated, 'authentication required', {}, { 'WWW-Authenticate': 'Bearer' });

export const forbidden = (): ApiError => new ApiError(403, API_ERRORS.forbidden, 'not allowed');

// ---------------------------------------------------------------- documented shapes

const fieldErrorSchema = z.object({ path: z.string(), message: z.string() });

/** Every error reply (extra members depend on the code). */
export const apiErrorReplySchema = z.object({
  error: z
    .object({
      code: z.string().describe('AREA.REASON'),
      message: z.string(),
      fields: z.array(fieldErrorSchema).optional().describe('REQUEST.INVALID: every fault, by field'),
    })
    .passthrough(),
});

export const invalidRequestReplySchema = z.object({
  error: z.object({ code: z.literal(API_ERRORS.invalid), message: z.string(), fields: z.array(fieldErrorSchema) }),
});
