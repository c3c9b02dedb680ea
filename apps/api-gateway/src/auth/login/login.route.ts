import { z } from 'zod';
import { apiErrorReplySchema } from '../../http/api-error';
import { defineRoute } from '../../http/route';

export const loginRequestSchema = z
  .object({
    login: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
  })
  .strict();

export const loginReplySchema = z.object({
  /** HS256 JWT; send it as `Authorization: Bearer <token>`. */
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until the token expires. */
  expiresIn: z.number().int().positive(),
});
export type LoginReply = z.infer<typeof loginReplySchema>;

export const loginRoute = defineRoute({
  method: 'POST',
  path: 'login',
  operationId: 'login',
  summary: 'Log in with an account of the provisioning file; answers an access token',
  description:
    'Wrong login and wrong password get the same 401. Failed logins are limited per login and per client address (429 with Retry-After). Claims: sub (login), role, grants, iat, exp.',
  access: 'public',
  input: { body: loginRequestSchema },
  responses: {
    200: { description: 'Logged in', schema: loginReplySchema },
    401: { description: 'AUTH.INVALID_CREDENTIALS: wrong login or password', schema: apiErrorReplySchema },
    429: { description: 'AUTH.TOO_MANY_ATTEMPTS: too many failed logins; retry after `Retry-After` seconds', schema: apiErrorReplySchema, headers: { 'Retry-After': 'seconds' } },
  },
});
