import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { LOGGER, Metrics, verifyAccountPassword } from '@pbx/service-kit';
import { API_ERRORS, ApiError } from '../../http/api-error';
import { ACCOUNTS, Clock, CLOCK, CurrentAccounts, GATEWAY_SETTINGS, GatewaySettings, LOGIN_THROTTLE } from '../../tokens';
import { signJwt } from '../jwt';
import { LoginThrottle } from '../login-throttle';
import { LoginReply } from './login.route';

/** POST /api/v1/auth/login: password check against the hashed accounts, rate-limited, then a token. */
@Injectable()
export class LoginHandler {
  private readonly logins: Counter<'outcome'>;

  constructor(
    @Inject(ACCOUNTS) private readonly accounts: CurrentAccounts,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(Metrics) metrics: Metrics,
  ) {
    this.logins = new Counter({ name: 'pbx_api_logins_total', help: 'Logins by outcome: ok, refused (wrong login or password), throttled (429)', labelNames: ['outcome'], registers: [metrics.registry] });
  }

  async execute(req: { login: string; password: string }, address: string): Promise<LoginReply> {
    const decision = this.throttle.begin(req.login, address);
    if (!decision.allowed) {
      this.logins.inc({ outcome: 'throttled' });
      this.logger.warn({ address, retryAfterSeconds: decision.retryAfterSeconds }, 'login refused: too many failures');
      throw new ApiError(429, API_ERRORS.tooManyAttempts, 'too many failed logins: try again later', { retryAfterSeconds: decision.retryAfterSeconds }, { 'Retry-After': String(decision.retryAfterSeconds) });
    }
    // One document for the whole attempt, even if an apply lands during the scrypt.
    const accounts = this.accounts();
    const account = accounts.find(req.login);
    // An unknown login is checked against a decoy hash, so it costs the same time as a wrong password.
    const ok = await verifyAccountPassword(req.password, account?.passwordHash ?? accounts.decoyHash);
    if (!account || !ok) {
      // The attempted name is logged only when it is an account: a password typed into the login field stays out of the logs.
      this.logins.inc({ outcome: 'refused' });
      this.logger.info(account ? { login: account.login, address } : { unknownLogin: true, address }, 'login failed');
      throw new ApiError(401, API_ERRORS.invalidCredentials, 'invalid login or password');
    }
    this.throttle.succeeded(decision.attempt);
    this.logins.inc({ outcome: 'ok' });
    const now = Math.floor(this.clock() / 1000);
    const accessToken = signJwt({ sub: account.login, role: account.role, grants: account.grants }, this.settings.jwtSecret, now, this.settings.jwtTtlSeconds);
    this.logger.info({ login: account.login, role: account.role, address }, 'logged in');
    return { accessToken, tokenType: 'Bearer', expiresIn: this.settings.jwtTtlSeconds };
  }
}
