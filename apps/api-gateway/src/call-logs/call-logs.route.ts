import { z } from 'zod';
import { callLogSearchReplySchema, callLogSearchRequestSchema } from '@pbx/contracts';
import { fromQueryNumber } from '../http/request-input';
import { ALL_ROLES, defineRoute } from '../http/route';

// The query string is the NATS contract's request without `scope` (the gateway sets that from
// the caller's role, SPEC A-1), with limit and offset read from text. After its own shape, the
// whole query is checked by the contract schema itself (e.g. `from` not after `to`).
const { scope: _scope, limit, offset, ...conditions } = callLogSearchRequestSchema.innerType().shape;

export const callLogsQuerySchema = z
  .object({ ...conditions, limit: fromQueryNumber(limit), offset: fromQueryNumber(offset) })
  .strict()
  .superRefine((q, ctx) => {
    const r = callLogSearchRequestSchema.safeParse(q);
    if (!r.success) for (const issue of r.error.issues) if (issue.code === 'custom') ctx.addIssue(issue);
  });

export const tooManyReplySchema = z.object({
  error: z.object({
    code: z.literal('SEARCH.TOO_MANY'),
    message: z.string(),
    /** The most matches a synchronous search answers (SPEC S-1). */
    limit: z.number().int(),
    /** Where to register an async search instead. */
    asyncSearch: z.string(),
  }),
});

export const searchCallLogsRoute = defineRoute({
  method: 'GET',
  path: '',
  operationId: 'searchCallLogs',
  summary: 'Search the call log (発着信履歴), newest first',
  description:
    'Supervisors see only calls of their granted numbers and call centers; users only calls of their own extension (SPEC A-1). Over 10,000 matches: 422 SEARCH.TOO_MANY, use async search (SPEC S-1).',
  access: ALL_ROLES,
  input: { query: callLogsQuerySchema },
  responses: {
    200: { description: 'Matching calls (a page) and the total count', schema: callLogSearchReplySchema },
    422: { description: 'SEARCH.TOO_MANY: more than 10,000 matches', schema: tooManyReplySchema },
  },
});
