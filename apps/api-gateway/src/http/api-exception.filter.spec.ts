import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { RemoteError } from '@pbx/service-kit';
import { ApiError } from './api-error';
import { toApiError } from './api-exception.filter';

const as = (e: unknown) => {
  const a = toApiError(e);
  return { status: a.status, ...a.body() };
};

describe('HTTP error mapping (SPEC B-2), one place', () => {
  it('SEARCH.TOO_MANY → 422 naming the limit and pointing to async search (SPEC S-1)', () => {
    const e = new RemoteError('SEARCH.TOO_MANY', 'more than 10,000 matches: use async search', { limit: 10_000, asyncSearch: { target: 'call-logs' } });
    expect(as(e)).toEqual({ status: 422, error: { code: 'SEARCH.TOO_MANY', message: 'more than 10,000 matches: use async search', limit: 10_000, asyncSearch: '/api/v1/async-searches' } });
  });

  it('async-search codes → 404 / 409, with the gateway’s own messages', () => {
    expect(as(new RemoteError('ASYNC_SEARCH.NOT_FOUND', 'job 7 belongs to sv1'))).toEqual({ status: 404, error: { code: 'ASYNC_SEARCH.NOT_FOUND', message: 'no such async search' } });
    expect(as(new RemoteError('ASYNC_SEARCH.LIMIT_REACHED', 'x', { limit: 10 }))).toMatchObject({ status: 409, error: { code: 'ASYNC_SEARCH.LIMIT_REACHED', limit: 10 } });
    expect(as(new RemoteError('ASYNC_SEARCH.NOT_RETRYABLE', 'x', { status: 'done' }))).toMatchObject({ status: 409, error: { status: 'done' } });
  });

  it('channel-quota codes → 404 / 503', () => {
    expect(as(new RemoteError('QUOTA.LEASE_NOT_HELD', 'x', { legId: 'l' }))).toMatchObject({ status: 404, error: { code: 'CHANNEL.NOT_FOUND' } });
    expect(as(new RemoteError('QUOTA.HANGUP_UNAVAILABLE', 'x'))).toMatchObject({ status: 503, error: { code: 'CHANNEL.HANGUP_UNAVAILABLE' } });
  });

  it('a service that does not answer → 503; a reply that breaks its contract or an unknown code → 502', () => {
    expect(as(new RemoteError('TRANSPORT.NO_RESPONDERS', 'no service answers qry.v1.x'))).toMatchObject({ status: 503, error: { code: 'SERVICE.UNAVAILABLE' } });
    expect(as(new RemoteError('TRANSPORT.TIMEOUT', 'x'))).toMatchObject({ status: 503 });
    expect(as(new RemoteError('CONTRACT.INVALID_REPLY', 'x'))).toMatchObject({ status: 502, error: { code: 'SERVICE.BAD_REPLY', cause: 'CONTRACT.INVALID_REPLY' } });
    expect(as(new RemoteError('INTERNAL.ERROR', 'boom'))).toMatchObject({ status: 502 });
  });

  it('a downstream refusal of the payload → 400 with its fields', () => {
    const e = new RemoteError('CONTRACT.INVALID_PAYLOAD', 'x', { issues: [{ path: 'conditions.from', message: 'Invalid datetime' }] });
    expect(as(e)).toEqual({ status: 400, error: { code: 'REQUEST.INVALID', message: 'invalid request', fields: [{ path: 'conditions.from', message: 'Invalid datetime' }] } });
  });

  it('framework 4xx keep their status in the API shape; anything else is a 500 that says nothing', () => {
    expect(as(new NotFoundException())).toMatchObject({ status: 404, error: { code: 'REQUEST.NOT_FOUND' } });
    expect(as(new PayloadTooLargeException())).toMatchObject({ status: 413, error: { code: 'REQUEST.TOO_LARGE' } });
    expect(as(Object.assign(new Error('Body is too large'), { statusCode: 413 }))).toMatchObject({ status: 413 });
    expect(as(new TypeError('x is undefined'))).toEqual({ status: 500, error: { code: 'INTERNAL.ERROR', message: 'internal error' } });
    expect(as(new ApiError(418, 'X.Y', 'm', { a: 1 }))).toEqual({ status: 418, error: { code: 'X.Y', message: 'm', a: 1 } });
  });
});
