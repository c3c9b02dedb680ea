import { ASYNC_SEARCH_ERRORS, ASYNC_SEARCH_LIMIT_PER_ACCOUNT, CHANNEL_QUOTA_ERRORS, HISTORY_ERRORS, SYNC_SEARCH_LIMIT, TRANSPORT_ERRORS } from '@pbx/contracts';
import { RemoteError } from '@pbx/service-kit';
import { API_ERRORS, ApiError, FieldError } from './api-error';

/** Where the portal registers a search too big for a synchronous answer (SPEC S-1). */
export const ASYNC_SEARCH_PATH = '/api/v1/async-searches';

/**
 * A downstream service's typed error (NATS reply) as the HTTP answer (SPEC B-2). Messages are
 * the gateway's own where the downstream one could name something the caller may not see.
 */
export function fromRemoteError(e: RemoteError): ApiError {
  const d = e.details ?? {};
  switch (e.code) {
    case HISTORY_ERRORS.tooMany: // SPEC S-1: names the limit and offers async search
      return new ApiError(422, e.code, e.message, { limit: typeof d.limit === 'number' ? d.limit : SYNC_SEARCH_LIMIT, asyncSearch: ASYNC_SEARCH_PATH });
    case ASYNC_SEARCH_ERRORS.notFound:
      return new ApiError(404, e.code, 'no such async search');
    case ASYNC_SEARCH_ERRORS.limitReached: // SPEC S-4
      return new ApiError(409, e.code, `an account holds at most ${ASYNC_SEARCH_LIMIT_PER_ACCOUNT} async searches: delete one first`, { limit: ASYNC_SEARCH_LIMIT_PER_ACCOUNT });
    case ASYNC_SEARCH_ERRORS.notRetryable:
      return new ApiError(409, e.code, 'only a failed async search can be retried', typeof d.status === 'string' ? { status: d.status } : {});
    case CHANNEL_QUOTA_ERRORS.leaseNotHeld:
      return new ApiError(404, 'CHANNEL.NOT_FOUND', 'no leg holds a channel under this id');
    case CHANNEL_QUOTA_ERRORS.hangupUnavailable:
      return new ApiError(503, 'CHANNEL.HANGUP_UNAVAILABLE', 'the leg could not be disconnected now: the SIP edge did not answer');
    case CHANNEL_QUOTA_ERRORS.unavailable:
    case TRANSPORT_ERRORS.noResponders:
    case TRANSPORT_ERRORS.timeout:
      return new ApiError(503, API_ERRORS.unavailable, 'a service behind the gateway is not available; try again shortly');
    case TRANSPORT_ERRORS.invalidPayload:
      // The gateway validates with the same schemas first; should a service still refuse, it was the input.
      return new ApiError(400, API_ERRORS.invalid, 'invalid request', { fields: issuesOf(d) });
    default:
      return new ApiError(502, API_ERRORS.badGateway, 'a service behind the gateway answered an error', { cause: e.code });
  }
}

function issuesOf(details: Readonly<Record<string, unknown>>): FieldError[] {
  const issues = Array.isArray(details.issues) ? details.issues : [];
  return issues.flatMap((i: unknown) =>
    typeof i === 'object' && i !== null && typeof (i as FieldError).message === 'string' ? [{ path: String((i as FieldError).path ?? ''), message: (i as FieldError).message }] : [],
  );
}
