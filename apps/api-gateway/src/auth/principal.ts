import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { CallLogScope } from '@pbx/contracts';
import type { Role } from '@pbx/provisioning';

/** Who is calling, as the auth guard established it from the token and the current accounts. */
export interface Principal {
  login: string;
  role: Role;
  email?: string;
  /** undefined = everything (system admin), SPEC A-1. */
  scope: CallLogScope | undefined;
}

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** The caller of a route that is not public (set by AuthGuard, which runs first). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('@CurrentPrincipal() on a route the auth guard did not authenticate');
  return principal;
});
