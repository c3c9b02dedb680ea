import { z } from 'zod';
import type { CallDirection, CallResult } from '@pbx/domain-call-leg';
import { qrySubject } from './subjects';

// history-projector (発着信履歴, SPEC H-2, S-1). How the rows are built: docs/history.md.

/** Call-log search (発着信履歴検索): at most SYNC_SEARCH_LIMIT matches, else SEARCH.TOO_MANY (SPEC S-1). */
export const HISTORY_CALL_LOGS = qrySubject('history-projector', 'call-logs');

/** The most matches a synchronous search answers (SPEC S-1); beyond it, async search (§10). */
export const SYNC_SEARCH_LIMIT = 10_000;

/** Error codes the history queries answer with (besides CONTRACT.INVALID_PAYLOAD). */
export const HISTORY_ERRORS = {
  /**
   * More than SYNC_SEARCH_LIMIT matches (SPEC S-1). The message names the limit and points to
   * async search; details `{ limit, asyncSearch: { target } }`. The total is not counted past the limit.
   */
  tooMany: 'SEARCH.TOO_MANY',
} as const;

export const CALL_LOG_DIRECTIONS = ['incoming', 'outgoing', 'internal'] as const satisfies readonly CallDirection[];
export const CALL_LOG_RESULTS = ['answered', 'no-answer', 'busy', 'cancelled', 'failed', 'rejected-over-channel-limit'] as const satisfies readonly CallResult[];

const instant = z.string().datetime({ offset: true });
/** A number as searched: digits, `+`, `*`, `#` (the columns also hold `anonymous`, 非通知). */
const searchNumber = z.string().regex(/^(?:[0-9*#+]{1,32}|anonymous)$/, 'must be a dialable number or "anonymous"');

/** The search conditions of the call log; async search reuses this as its `conditions` (SPEC S-2). */
const conditionsShape = {
  /** Calls started at or after this instant (inclusive). */
  from: instant.optional(),
  /** Calls started before this instant (exclusive). */
  to: instant.optional(),
  /** Exact match on the presented caller, the callee, the answering number or the DID. */
  number: searchNumber.optional(),
  direction: z.enum(CALL_LOG_DIRECTIONS).optional(),
  /** Only ended calls have a result; a call in progress matches no result filter. */
  result: z.enum(CALL_LOG_RESULTS).optional(),
};

const periodInOrder = (c: { from?: string; to?: string }): boolean => c.from === undefined || c.to === undefined || Date.parse(c.from) <= Date.parse(c.to);
const periodError = { message: '`from` must not be after `to`', path: ['to'] };

export const callLogConditionsSchema = z.object(conditionsShape).strict().refine(periodInOrder, periodError);
export type CallLogConditions = z.infer<typeof callLogConditionsSchema>;

/**
 * Restricts a search to the calls of some numbers (SPEC A-1): a call matches when its caller,
 * callee, answering number or DID is in the list. The gateway sets it for supervisors (their
 * granted numbers) and users (their extension); absent = everything (system admin).
 * An empty list matches nothing.
 */
export const callLogScopeSchema = z.object({ numbers: z.array(searchNumber).max(10_000) }).strict();
export type CallLogScope = z.infer<typeof callLogScopeSchema>;

export const callLogSearchRequestSchema = z
  .object({
    ...conditionsShape,
    limit: z.number().int().min(1).max(1_000).default(100),
    offset: z.number().int().min(0).max(SYNC_SEARCH_LIMIT).default(0),
    scope: callLogScopeSchema.optional(),
  })
  .strict()
  .refine(periodInOrder, periodError);
/** What a client sends (limit and offset may be left out). */
export type CallLogSearchRequest = z.input<typeof callLogSearchRequestSchema>;
/** What the handler gets after parsing (defaults applied). */
export type CallLogSearch = z.output<typeof callLogSearchRequestSchema>;

/** One call-log row (SPEC H-2), seen from the call's originating leg. Columns: docs/history.md. */
export const callLogItemSchema = z.object({
  callId: z.string(),
  /** The call's request id (its unique id in the product). */
  requestId: z.string(),
  startedAt: instant,
  answeredAt: instant.nullable(),
  /** null while the call is in progress. */
  endedAt: instant.nullable(),
  /** Whole seconds from answer to end, rounded up; 0 if never answered. */
  durationSeconds: z.number().int().min(0),
  direction: z.enum(CALL_LOG_DIRECTIONS),
  presentedCaller: z.string(),
  callee: z.string(),
  answeredBy: z.string().nullable(),
  /** null while the call is in progress. */
  result: z.enum(CALL_LOG_RESULTS).nullable(),
  trunkId: z.string().nullable(),
  did: z.string().nullable(),
  /** A federation peer took part (SPEC F-4). */
  federation: z.boolean(),
});
export type CallLogItem = z.infer<typeof callLogItemSchema>;

/** Newest first (startedAt, then callId, descending); `total` counts every match (≤ SYNC_SEARCH_LIMIT). */
export const callLogSearchReplySchema = z.object({
  items: z.array(callLogItemSchema),
  total: z.number().int().min(0).max(SYNC_SEARCH_LIMIT),
});
export type CallLogSearchReply = z.infer<typeof callLogSearchReplySchema>;

/** The SEARCH.TOO_MANY message (SPEC S-1): names the limit, offers async search. */
export function tooManyMatchesMessage(limit: number = SYNC_SEARCH_LIMIT): string {
  return `more than ${limit.toLocaleString('en-US')} matches: narrow the conditions or use async search (POST /api/v1/async-searches) for the full result`;
}
