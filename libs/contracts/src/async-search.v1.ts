import { z } from 'zod';
import { callLogConditionsSchema, callLogScopeSchema } from './history.v1';
import { cmdSubject, qrySubject } from './subjects';

// async-search (非同期履歴検索, SPEC §10). How it works: docs/async-search.md.
// The api-gateway authenticates and authorizes (SPEC A-1) and passes the account's login;
// async-search scopes every job to that login.

/** Registers a job (SPEC S-2); at most ASYNC_SEARCH_LIMIT_PER_ACCOUNT per account (SPEC S-4). */
export const ASYNC_SEARCH_CREATE = cmdSubject('async-search', 'create');
/** The account's jobs, newest first. */
export const ASYNC_SEARCH_LIST = qrySubject('async-search', 'list');
/** One job of the account (status, progress, row count, error, result key). */
export const ASYNC_SEARCH_GET = qrySubject('async-search', 'get');
/** Deletes a job and its result file; frees a slot (SPEC S-4). */
export const ASYNC_SEARCH_DELETE = cmdSubject('async-search', 'delete');
/** Puts a failed job back to pending (SPEC S-2 "異常終了, retryable"). */
export const ASYNC_SEARCH_RETRY = cmdSubject('async-search', 'retry');

/**
 * Result files: async-search writes them and api-gateway streams them for download, both
 * through a `LocalFileStore` (@pbx/file-store) rooted at this setting (the same folder for
 * both; relative paths resolve against the process's working directory). The job view's
 * `resultKey` is the key inside it.
 */
export const ASYNC_SEARCH_FILES_DIR_ENV = 'ASYNC_SEARCH_FILES_DIR';
export const ASYNC_SEARCH_FILES_DIR_DEFAULT = '.data/async-search';
/**
 * Internal to async-search: "job `{ id }` is waiting". Published (no reply) when a job becomes
 * pending; the instances' workers share it as a queue group, and one with a free slot claims
 * the job. Only a hint: workers also poll for pending jobs.
 */
export const ASYNC_SEARCH_RUN = cmdSubject('async-search', 'run');
export const runAsyncSearchMessageSchema = z.object({ id: z.string().min(1).max(128) }).strict();

/** SPEC S-4: saved async searches per account. */
export const ASYNC_SEARCH_LIMIT_PER_ACCOUNT = 10;
/** Longest memo (the free memo; the portal's field length). */
export const ASYNC_SEARCH_MEMO_MAX = 200;

/** Error codes async-search answers with (besides CONTRACT.INVALID_PAYLOAD). */
export const ASYNC_SEARCH_ERRORS = {
  /** The account already holds 10 jobs (SPEC S-4); details `{ limit }`. HTTP 409. */
  limitReached: 'ASYNC_SEARCH.LIMIT_REACHED',
  /** No such job for this account (also when it belongs to another account). HTTP 404. */
  notFound: 'ASYNC_SEARCH.NOT_FOUND',
  /** Retry of a job that is not failed; details `{ status }`. HTTP 409. */
  notRetryable: 'ASYNC_SEARCH.NOT_RETRYABLE',
} as const;

const id = z.string().min(1).max(128);
const login = z.string().min(1).max(128);
const instant = z.string().datetime();

/** What a job searches (SPEC S-6): call logs now; the other targets register in their issues. */
export const asyncSearchTargetSchema = z.enum(['call-logs']);
export type AsyncSearchTarget = z.infer<typeof asyncSearchTargetSchema>;

/** 未処理 / 処理中 / 正常終了 / 異常終了 (SPEC S-2). */
export const asyncSearchStatusSchema = z.enum(['pending', 'processing', 'done', 'failed']);
export type AsyncSearchStatus = z.infer<typeof asyncSearchStatusSchema>;

/**
 * Search conditions of the target (SPEC S-2): for `call-logs` the call-log search's own
 * conditions (period, number, direction, result — history.v1). Targets added later (SPEC S-6)
 * bring their schema here.
 */
export const asyncSearchConditionsSchema = callLogConditionsSchema;
export type AsyncSearchConditions = z.infer<typeof asyncSearchConditionsSchema>;

/**
 * What the account may see (SPEC A-1), as the gateway computes it for the synchronous search:
 * supervisors their granted numbers, users their extension, system admins nothing (= all).
 * Stored with the job when it is registered and applied to every row the job exports.
 */
export const asyncSearchScopeSchema = callLogScopeSchema;
export type AsyncSearchScope = z.infer<typeof asyncSearchScopeSchema>;

// ---------------------------------------------------------------- create

export const createAsyncSearchRequestSchema = z
  .object({
    account: z.object({ login, email: z.string().email().max(254).optional() }).strict(),
    target: asyncSearchTargetSchema,
    conditions: asyncSearchConditionsSchema,
    memo: z.string().max(ASYNC_SEARCH_MEMO_MAX).default(''),
    /** Absent = everything (system admin). */
    scope: asyncSearchScopeSchema.optional(),
  })
  .strict();
export type CreateAsyncSearchRequest = z.input<typeof createAsyncSearchRequestSchema>;

export const createAsyncSearchReplySchema = z.object({ id, status: z.literal('pending'), createdAt: instant });
export type CreateAsyncSearchReply = z.infer<typeof createAsyncSearchReplySchema>;

// ---------------------------------------------------------------- job view

export const asyncSearchJobViewSchema = z.object({
  id,
  target: asyncSearchTargetSchema,
  conditions: asyncSearchConditionsSchema,
  memo: z.string(),
  status: asyncSearchStatusSchema,
  /** Rows written so far; `percent` when the total is known (0–100). */
  progress: z.object({ rows: z.number().int().min(0), percent: z.number().min(0).max(100).optional() }),
  /** Rows in the result (the final count once done; so far while processing). */
  rowCount: z.number().int().min(0),
  /**
   * Why the job failed (status `failed`). Named `failure`, not `error`: a reply with a top-level
   * `error` object is the typed error envelope of every NATS request (errors.ts).
   */
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
  /** 登録日時: when the job was registered. */
  createdAt: instant,
  startedAt: instant.nullable(),
  finishedAt: instant.nullable(),
  /** File-store key of the CSV (status `done`); read it through @pbx/file-store. */
  resultKey: z.string().optional(),
});
export type AsyncSearchJobView = z.infer<typeof asyncSearchJobViewSchema>;

// ---------------------------------------------------------------- list / get

export const listAsyncSearchesQuerySchema = z.object({ login }).strict();
export type ListAsyncSearchesQuery = z.infer<typeof listAsyncSearchesQuerySchema>;
export const listAsyncSearchesReplySchema = z.object({ items: z.array(asyncSearchJobViewSchema) });
export type ListAsyncSearchesReply = z.infer<typeof listAsyncSearchesReplySchema>;

export const getAsyncSearchQuerySchema = z.object({ login, id }).strict();
export type GetAsyncSearchQuery = z.infer<typeof getAsyncSearchQuerySchema>;
export const getAsyncSearchReplySchema = asyncSearchJobViewSchema;
export type GetAsyncSearchReply = AsyncSearchJobView;

// ---------------------------------------------------------------- delete / retry

/** Deleting works in every state; a job being processed is abandoned by its worker. */
export const deleteAsyncSearchRequestSchema = z.object({ login, id }).strict();
export type DeleteAsyncSearchRequest = z.infer<typeof deleteAsyncSearchRequestSchema>;
export const deleteAsyncSearchReplySchema = z.object({ id, deleted: z.literal(true) });
export type DeleteAsyncSearchReply = z.infer<typeof deleteAsyncSearchReplySchema>;

export const retryAsyncSearchRequestSchema = z.object({ login, id }).strict();
export type RetryAsyncSearchRequest = z.infer<typeof retryAsyncSearchRequestSchema>;
export const retryAsyncSearchReplySchema = z.object({ id, status: z.literal('pending') });
export type RetryAsyncSearchReply = z.infer<typeof retryAsyncSearchReplySchema>;
