import { z } from 'zod';
import type { RouteDecision } from '@pbx/domain-dialplan';
import { qrySubject } from './subjects';

/** `qry.v1.dialplan.route`: where a dialed string goes and what the callee sees (SPEC §1–§2). */
export const DIALPLAN_ROUTE = qrySubject('dialplan', 'route');

const digits = z.string().regex(/^[0-9]{1,32}$/);

export const callerEndpointSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('extension'), extension: digits }),
  z.object({ kind: z.literal('trunk'), trunkId: z.string().min(1).max(64), callerNumber: z.string().max(64).optional() }),
  z.object({ kind: z.literal('peer'), prefix: z.string().regex(/^[0-9]{1,2}$/), extension: digits }),
]);

export const routeQuerySchema = z.object({
  /** Raw dial string as received (the decider itself answers 400/484 for bad characters — SPEC N-7). */
  dialed: z.string().max(256),
  caller: callerEndpointSchema,
  context: z.object({ midCall: z.boolean().optional(), presentedCaller: z.string().max(64).optional() }).optional(),
});
export type RouteQuery = z.infer<typeof routeQuerySchema>;

/** The reply carries the decider's typed route unchanged; `kind` tells which shape it is. */
export const routeReplySchema = z.object({
  route: z.object({ kind: z.string() }).passthrough(),
}) as unknown as z.ZodType<{ route: RouteDecision }>;
export type RouteReply = { route: RouteDecision };
