import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@pbx/service-kit';
import { forbidden, unauthenticated } from '../http/api-error';
import { ROUTE_SPEC, RouteSpec } from '../http/route';
import { ACCOUNTS, Clock, CLOCK, CurrentAccounts, GATEWAY_SETTINGS, GatewaySettings } from '../tokens';
import { verifyJwt } from './jwt';
import { AuthenticatedRequest, Principal } from './principal';

/** RFC 7235 §2.1: the scheme name is case-insensitive. */
const bearer = /^Bearer ([A-Za-z0-9._-]{1,8192})$/i;

/**
 * Every API route but login needs a valid token (SPEC A-2), and its role must be one the
 * route allows (SPEC A-1). Denials say nothing about why (401 or 403, fixed messages); the
 * reason goes to the debug log.
 *
 * The token says who the caller is; what the caller may do is read, on every request, from the
 * accounts of the provisioning in force, so an account removed by an apply loses access at its
 * next request and a changed role or grant applies to tokens already issued (SPEC ).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(ACCOUNTS) private readonly accounts: CurrentAccounts,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const spec = Reflect.getMetadata(ROUTE_SPEC, ctx.getHandler()) as RouteSpec | undefined;
    if (!spec) throw forbidden(); // a handler without a declared access rule is closed
    if (spec.access === 'public') return true;
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.authenticate(req.headers.authorization);
    if (!principal) throw unauthenticated();
    req.principal = principal;
    if (!spec.access.includes(principal.role)) {
      this.logger.debug({ login: principal.login, role: principal.role, route: spec.operationId }, 'denied by role');
      throw forbidden();
    }
    return true;
  }

  private authenticate(header: string | undefined): Principal | undefined {
    const m = header === undefined ? null : bearer.exec(header);
    if (!m) return undefined;
    const v = verifyJwt(m[1], this.settings.jwtSecret, Math.floor(this.clock() / 1000));
    if (!v.ok) {
      this.logger.debug({ reason: v.reason }, 'token refused');
      return undefined;
    }
    const account = this.accounts().find(v.claims.sub);
    if (!account) {
      this.logger.debug({ login: v.claims.sub }, 'token of an account that no longer exists');
      return undefined;
    }
    return { login: account.login, role: account.role, ...(account.email ? { email: account.email } : {}), scope: account.scope };
  }
}
