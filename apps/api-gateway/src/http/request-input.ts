import { ZodError, ZodIssue, ZodTypeAny, z } from 'zod';
import { FieldError, invalidRequest } from './api-error';

// Validation of a request's parts against its route's zod schemas (SPEC B-2): every fault of
// every part is listed at once, by field, and nothing a user can type ends in a 500.

/** What the tolerant JSON body parser leaves when the body is not JSON (see http-edge.ts). */
export const INVALID_JSON_BODY = Symbol('INVALID_JSON_BODY');
export const UNSUPPORTED_BODY = Symbol('UNSUPPORTED_BODY');

export interface InputSchemas {
  params?: ZodTypeAny;
  query?: ZodTypeAny;
  body?: ZodTypeAny;
}

export type ParsedInput<S extends InputSchemas> = {
  params: S['params'] extends ZodTypeAny ? z.output<S['params']> : undefined;
  query: S['query'] extends ZodTypeAny ? z.output<S['query']> : undefined;
  body: S['body'] extends ZodTypeAny ? z.output<S['body']> : undefined;
};

/** Query strings: a key given empty (`?number=`) means "no condition", as a form leaves it. */
function dropEmpty(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return {};
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));
}

/** `"25"` → 25 for numeric query parameters; anything else is left for the schema to refuse. */
export const fromQueryNumber = <S extends ZodTypeAny>(schema: S) =>
  z.preprocess((v) => (typeof v === 'string' && /^-?[0-9]{1,15}$/.test(v) ? Number(v) : v), schema) as unknown as S;

export function fieldErrors(part: 'params' | 'query' | 'body', e: ZodError): FieldError[] {
  return e.issues.flatMap((i: ZodIssue): FieldError[] => {
    const at = [part, ...i.path.map(String)].join('.');
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ path: `${at}.${k}`, message: 'unknown field' }));
    if (i.code === 'invalid_union' && i.unionErrors.length > 0) {
      // A discriminated value that fits no branch: report the branch closest to the input (fewest faults).
      const best = [...i.unionErrors].sort((a, b) => a.issues.length - b.issues.length)[0];
      const nested = fieldErrors(part, best); // union issues carry their full path
      return nested.length > 0 ? nested : [{ path: at, message: i.message }];
    }
    return [{ path: at, message: i.message }];
  });
}

export function parseRequestInput<S extends InputSchemas>(schemas: S, raw: { params: unknown; query: unknown; body: unknown }): ParsedInput<S> {
  const fields: FieldError[] = [];
  const out: Record<string, unknown> = { params: undefined, query: undefined, body: undefined };
  if (schemas.params) {
    const r = schemas.params.safeParse(raw.params ?? {});
    if (r.success) out.params = r.data;
    else fields.push(...fieldErrors('params', r.error));
  }
  if (schemas.query) {
    const r = schemas.query.safeParse(dropEmpty(raw.query));
    if (r.success) out.query = r.data;
    else fields.push(...fieldErrors('query', r.error));
  }
  if (schemas.body) {
    if (raw.body === INVALID_JSON_BODY) fields.push({ path: 'body', message: 'is not valid JSON' });
    else if (raw.body === UNSUPPORTED_BODY) fields.push({ path: 'body', message: 'must be JSON (Content-Type: application/json)' });
    else if (raw.body === undefined || raw.body === null) fields.push({ path: 'body', message: 'a JSON body is required' });
    else {
      const r = schemas.body.safeParse(raw.body);
      if (r.success) out.body = r.data;
      else fields.push(...fieldErrors('body', r.error));
    }
  }
  if (fields.length > 0) throw invalidRequest(fields);
  return out as ParsedInput<S>;
}
