import { z } from 'zod';
import { asyncSearchJobViewSchema, createAsyncSearchReplySchema, createAsyncSearchRequestSchema, deleteAsyncSearchReplySchema, getAsyncSearchQuerySchema, retryAsyncSearchReplySchema } from '@pbx/contracts';
import { apiErrorReplySchema } from '../http/api-error';
import { ALL_ROLES, defineRoute, RouteSpec } from '../http/route';

// 非同期履歴検索 (SPEC §10), forwarded to async-search. The account and its scope are the
// caller's (from the token and the provisioning), never the body's: an account sees and
// exports only what it could search synchronously (SPEC A-1), and only its own jobs.

/** The contract's create request without what the gateway fills in. */
export const createAsyncSearchBodySchema = createAsyncSearchRequestSchema.omit({ account: true, scope: true });

/** The job as the portal sees it: no storage key; a download link once done. */
export const asyncSearchViewSchema = asyncSearchJobViewSchema.omit({ resultKey: true }).extend({
  /** Present when status is `done`. */
  downloadUrl: z.string().optional(),
});
export type AsyncSearchView = z.infer<typeof asyncSearchViewSchema>;

const idParams = z.object({ id: getAsyncSearchQuerySchema.shape.id }).strict();

/**
 * A route on one of the caller's jobs (`:id`): open to every role, the job id in the path, and
 * ASYNC_SEARCH.NOT_FOUND (404) for an id that is not one of the caller's jobs.
 */
function jobRoute(spec: Omit<RouteSpec<{ params: typeof idParams }>, 'access' | 'input'>): RouteSpec<{ params: typeof idParams }> {
  return defineRoute({
    ...spec,
    access: ALL_ROLES,
    input: { params: idParams },
    responses: { ...spec.responses, 404: { description: 'ASYNC_SEARCH.NOT_FOUND: no such job of this account', schema: apiErrorReplySchema } },
  });
}

export const createAsyncSearchRoute = defineRoute({
  method: 'POST',
  path: '',
  operationId: 'createAsyncSearch',
  summary: 'Register an async search (pending); at most 10 per account (SPEC S-2, S-4)',
  description: 'Conditions are those of GET /api/v1/call-logs (without paging). The CSV holds only calls the caller may see (SPEC A-1); an email goes to the account’s address when done (SPEC S-5).',
  access: ALL_ROLES,
  input: { body: createAsyncSearchBodySchema },
  responses: {
    201: { description: 'Registered', schema: createAsyncSearchReplySchema },
    409: { description: 'ASYNC_SEARCH.LIMIT_REACHED: the account already holds 10 async searches', schema: apiErrorReplySchema },
  },
});

export const listAsyncSearchesRoute = defineRoute({
  method: 'GET',
  path: '',
  operationId: 'listAsyncSearches',
  summary: 'The caller’s async searches, newest first',
  access: ALL_ROLES,
  input: {},
  responses: { 200: { description: 'The jobs', schema: z.object({ items: z.array(asyncSearchViewSchema) }) } },
});

export const getAsyncSearchRoute = jobRoute({
  method: 'GET',
  path: ':id',
  operationId: 'getAsyncSearch',
  summary: 'One async search: status, progress, row count, error',
  responses: { 200: { description: 'The job', schema: asyncSearchViewSchema } },
});

export const downloadAsyncSearchRoute = jobRoute({
  method: 'GET',
  path: ':id/download',
  operationId: 'downloadAsyncSearch',
  summary: 'The result CSV of a done async search (UTF-8 with BOM, SPEC S-3)',
  responses: {
    200: { description: 'The CSV, streamed, as an attachment', contentType: 'text/csv', headers: { 'Content-Disposition': 'attachment; filename="…"' } },
    409: { description: 'ASYNC_SEARCH.RESULT_NOT_READY: the job is not done (`status` says where it is)', schema: apiErrorReplySchema },
  },
});

export const deleteAsyncSearchRoute = jobRoute({
  method: 'DELETE',
  path: ':id',
  operationId: 'deleteAsyncSearch',
  summary: 'Delete an async search and its result; frees a slot (SPEC S-4)',
  responses: { 200: { description: 'Deleted', schema: deleteAsyncSearchReplySchema } },
});

export const retryAsyncSearchRoute = jobRoute({
  method: 'POST',
  path: ':id/retry',
  operationId: 'retryAsyncSearch',
  summary: 'Put a failed async search back to pending (SPEC S-2)',
  responses: {
    202: { description: 'Pending again', schema: retryAsyncSearchReplySchema },
    409: { description: 'ASYNC_SEARCH.NOT_RETRYABLE: only a failed job can be retried', schema: apiErrorReplySchema },
  },
});
