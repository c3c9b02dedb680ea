import { z } from 'zod';

/**
 * Typed error reply of every NATS request (ARCHITECTURE.md "Commands and queries"):
 * `{ error: { code: 'AREA.REASON', message, details? } }`, never a bare exception.
 */
export const errorBodySchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_.]*$/),
  message: z.string(),
  details: z.record(z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
export const errorReplySchema = z.object({ error: errorBodySchema });
export type ErrorReply = z.infer<typeof errorReplySchema>;

export function isErrorReply(value: unknown): value is ErrorReply {
  return errorReplySchema.safeParse(value).success;
}

/** Codes the transport itself produces. Domain codes live with their domain. */
export const TRANSPORT_ERRORS = {
  invalidPayload: 'CONTRACT.INVALID_PAYLOAD',
  invalidReply: 'CONTRACT.INVALID_REPLY',
  internal: 'INTERNAL.ERROR',
  noResponders: 'TRANSPORT.NO_RESPONDERS',
  timeout: 'TRANSPORT.TIMEOUT',
} as const;
