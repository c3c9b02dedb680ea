import { z } from 'zod';
import { callLogsQuerySchema } from '../call-logs/call-logs.route';
import { createAsyncSearchBodySchema } from '../async-searches/async-searches.route';
import { ApiError } from './api-error';
import { INVALID_JSON_BODY, parseRequestInput, UNSUPPORTED_BODY } from './request-input';

function fieldsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError && e.status === 400) return (e.extra as { fields: { path: string; message: string }[] }).fields;
    throw e;
  }
  throw new Error('expected a 400');
}

const query = (q: Record<string, unknown>) => parseRequestInput({ query: callLogsQuerySchema }, { params: {}, query: q, body: undefined }).query;

describe('request input (SPEC B-2)', () => {
  it('reads the call-log query: numbers from text, defaults, empty values as absent', () => {
    expect(query({ limit: '25', offset: '50', number: '1001', from: '' })).toEqual({ limit: 25, offset: 50, number: '1001' });
    expect(query({})).toEqual({ limit: 100, offset: 0 });
  });

  it('lists every fault of odd input at once, by field', () => {
    const fields = fieldsOf(() => query({ from: 'yesterday', to: '2026-13-45T99:00:00Z', number: 'abc', direction: 'sideways', result: 'ok', limit: '100000', offset: '-1', scope: 'x' }));
    expect(fields.map((f) => f.path).sort()).toEqual(['query.direction', 'query.from', 'query.limit', 'query.number', 'query.offset', 'query.result', 'query.scope', 'query.to'].sort());
    expect(fields.find((f) => f.path === 'query.scope')?.message).toBe('unknown field');
  });

  it('refuses letters, decimals, arrays and huge numbers for limit', () => {
    for (const limit of ['ten', '1.5', ['1', '2'], '1e3', '99999999999999999999', '0']) expect(fieldsOf(() => query({ limit })).map((f) => f.path)).toEqual(['query.limit']);
  });

  it('applies the contract’s own rule that from is not after to', () => {
    expect(fieldsOf(() => query({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }))).toEqual([{ path: 'query.to', message: '`from` must not be after `to`' }]);
  });

  it('says what is wrong with a body that is missing, not JSON, or not declared as JSON', () => {
    const body = (b: unknown) => () => parseRequestInput({ body: z.object({ a: z.string() }) }, { params: {}, query: {}, body: b });
    expect(fieldsOf(body(undefined))).toEqual([{ path: 'body', message: 'a JSON body is required' }]);
    expect(fieldsOf(body(INVALID_JSON_BODY))).toEqual([{ path: 'body', message: 'is not valid JSON' }]);
    expect(fieldsOf(body(UNSUPPORTED_BODY))).toEqual([{ path: 'body', message: 'must be JSON (Content-Type: application/json)' }]);
    expect(fieldsOf(body([1, 2]))).toEqual([{ path: 'body', message: 'Expected object, received array' }]);
  });

  it('names nested fields of an async-search body, and refuses an account or scope smuggled into it', () => {
    const parse = (b: unknown) => () => parseRequestInput({ body: createAsyncSearchBodySchema }, { params: {}, query: {}, body: b });
    const fields = fieldsOf(parse({ target: 'everything', conditions: { from: 'x', direction: 'up' }, memo: 'm'.repeat(201), scope: { numbers: [] }, account: { login: 'admin' } }));
    expect(fields.map((f) => f.path).sort()).toEqual(['body.account', 'body.conditions.direction', 'body.conditions.from', 'body.memo', 'body.scope', 'body.target'].sort());
  });
});
