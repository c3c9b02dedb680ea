import { randomBytes } from 'node:crypto';
import { DynamicModule, Module, Type } from '@nestjs/common';
import type { Logger } from 'pino';
import { LocalFileStore } from '@pbx/file-store';
import { LOGGER } from '@pbx/service-kit';
import { accountsProviders } from './accounts/accounts.provider';
import { AsyncSearchesHandler } from './async-searches/async-searches.handler';
import { AsyncSearchesHttpController } from './async-searches/async-searches.http.controller';
import { AuthGuard } from './auth/auth.guard';
import { LoginHandler } from './auth/login/login.handler';
import { LoginHttpController } from './auth/login/login.http.controller';
import { LoginThrottle } from './auth/login-throttle';
import { CallLogsHandler } from './call-logs/call-logs.handler';
import { CallLogsHttpController } from './call-logs/call-logs.http.controller';
import { ChannelsHandler } from './channels/channels.handler';
import { ChannelsHttpController } from './channels/channels.http.controller';
import { Config } from './config';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { HttpEdge } from './http/http-edge';
import { DocsHttpController, OPENAPI_DOCUMENT } from './openapi/docs.http.controller';
import { buildOpenApiDocument } from './openapi/openapi.document';
import { Clock, CLOCK, FILE_STORE, GATEWAY_SETTINGS, GatewaySettings, LOGIN_THROTTLE } from './tokens';

/** The REST controllers of the admin portal, in the order they are documented. */
export const API_CONTROLLERS: readonly Type<unknown>[] = [LoginHttpController, CallLogsHttpController, ChannelsHttpController, AsyncSearchesHttpController];

/**
 * REST for the admin portal (docs/api.md): JWT login against the provisioned accounts, roles
 * and grants of SPEC §11, OpenAPI at /api/docs; translates REST to NATS requests.
 */
@Module({})
export class ApiGatewayModule {
  static register(config: Config, clock: Clock = Date.now): DynamicModule {
    return {
      module: ApiGatewayModule,
      controllers: [...API_CONTROLLERS, DocsHttpController],
      providers: [
        { provide: CLOCK, useValue: clock },
        { provide: GATEWAY_SETTINGS, inject: [LOGGER], useFactory: (logger: Logger) => gatewaySettings(config, logger) },
        ...accountsProviders(config),
        {
          provide: LOGIN_THROTTLE,
          useFactory: () =>
            new LoginThrottle(
              {
                login: { maxFailures: config.LOGIN_MAX_FAILURES_PER_LOGIN, windowMs: config.LOGIN_WINDOW_SECONDS * 1000 },
                address: { maxFailures: config.LOGIN_MAX_FAILURES_PER_ADDRESS, windowMs: config.LOGIN_WINDOW_SECONDS * 1000 },
              },
              clock,
            ),
        },
        { provide: FILE_STORE, useFactory: () => new LocalFileStore(config.ASYNC_SEARCH_FILES_DIR) },
        { provide: OPENAPI_DOCUMENT, useFactory: () => buildOpenApiDocument(API_CONTROLLERS) },
        HttpEdge,
        AuthGuard,
        ApiExceptionFilter,
        LoginHandler,
        CallLogsHandler,
        ChannelsHandler,
        AsyncSearchesHandler,
      ],
    };
  }
}

function gatewaySettings(config: Config, logger: Logger): GatewaySettings {
  let jwtSecret = config.JWT_SECRET;
  if (!jwtSecret) {
    // Only outside production (config refuses production without one): tokens die with this process.
    logger.warn('JWT_SECRET is not set: using a random secret for this process; tokens stop working when it restarts and are not valid at other replicas');
    jwtSecret = randomBytes(32).toString('base64url');
  }
  return { jwtSecret, jwtTtlSeconds: config.JWT_TTL_SECONDS, downstreamTimeoutMs: config.DOWNSTREAM_TIMEOUT_MS };
}
