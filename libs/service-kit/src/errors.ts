import { ErrorBody, TRANSPORT_ERRORS } from '@pbx/contracts';
import { ZodError, ZodTypeAny, z } from 'zod';

/** An error that carries an `AREA.REASON` code (DomainError from libs/domain/kernel has this shape). */
export interface CodedError {
  code: string;
  message: string;
  details?: Readonly<Record<string, unknown>>;
}

const codePattern = /^[A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_.]*$/;

export function isCodedError(e: unknown): e is CodedError {
  return typeof e === 'object' && e !== null && typeof (e as CodedError).code === 'string' && codePattern.test((e as CodedError).code);
}

/** A NATS request answered with a typed error reply. */
export class RemoteError extends Error implements CodedError {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** The one place where any thrown value becomes a wire error body (STYLE.md: mapped once per transport). */
export function toErrorBody(e: unknown): ErrorBody {
  if (e instanceof ZodError) {
    return {
      code: TRANSPORT_ERRORS.invalidPayload,
      message: e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      details: { issues: e.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    };
  }
  if (isCodedError(e)) return { code: e.code, message: e.message, ...(e.details ? { details: { ...e.details } } : {}) };
  return { code: TRANSPORT_ERRORS.internal, message: 'internal error' };
}

/** Validates an incoming payload; a bad one is answered with CONTRACT.INVALID_PAYLOAD listing every fault. */
export function parsePayload<S extends ZodTypeAny>(schema: S, data: unknown): z.infer<S> {
  return schema.parse(data);
}
