import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ServiceName } from '@pbx/contracts';
import { BaseConfig } from './config';
import { createLogger, PinoNestLogger } from './logger';
import { Metrics } from './metrics';
import { NatsInterceptor } from './nats-interceptor';
import { PlainJsonDeserializer, PlainJsonSerializer, RpcErrorFilter } from './nats-wire';
import { ServiceKitModule } from './service-kit.module';

export interface RunServiceOptions<C extends BaseConfig> {
  service: ServiceName;
  config: C;
  /** The service's own module(s); the kit module is added around them. */
  imports: DynamicModule['imports'];
}

export interface RunningService {
  app: INestApplication;
  httpUrl: string;
  close(): Promise<void>;
}

/**
 * Boots one service: Fastify HTTP (/health, /metrics, REST where the service has it) and the
 * NATS transport in the service's queue group (replicas share the load).
 */
export async function runService<C extends BaseConfig>(o: RunServiceOptions<C>): Promise<RunningService> {
  const instance = o.config.INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const logger = createLogger(o.service, o.config.LOG_LEVEL, instance);
  const metrics = new Metrics(o.service);

  class RootModule {}
  const root: DynamicModule = {
    module: RootModule,
    imports: [ServiceKitModule.forRoot({ service: o.service, config: o.config, logger, metrics, instance }), ...(o.imports ?? [])],
  };

  const app = await NestFactory.create<NestFastifyApplication>(root, new FastifyAdapter({ logger: false }), {
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    abortOnError: false,
  });
  // Registered on the app before the microservice connects, so both transports inherit them.
  app.useGlobalFilters(new RpcErrorFilter(app.getHttpAdapter()));
  app.useGlobalInterceptors(new NatsInterceptor(metrics));
  app.connectMicroservice<MicroserviceOptions>(
    {
      transport: Transport.NATS,
      options: {
        servers: [o.config.NATS_URL],
        queue: o.service,
        name: `${o.service}:${instance}:rpc`,
        serializer: new PlainJsonSerializer(),
        deserializer: new PlainJsonDeserializer(),
        maxReconnectAttempts: -1,
      },
    },
    { inheritAppConfig: true },
  );
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(o.config.HTTP_PORT, o.config.HTTP_HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : o.config.HTTP_PORT;
  const httpUrl = `http://127.0.0.1:${port}`;
  logger.info({ httpPort: port, nats: o.config.NATS_URL }, `${o.service} ready`);
  return { app, httpUrl, close: () => app.close() };
}

/**
 * The body of every `main.ts`: validate config (exit 1 listing every fault), boot, and log a
 * structured line when boot fails.
 */
export function serviceMain<C extends BaseConfig>(service: ServiceName, loadConfig: () => C, imports: (config: C) => DynamicModule['imports']): void {
  let config: C;
  try {
    config = loadConfig();
  } catch (e) {
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: e instanceof Error ? e.message : String(e) })}\n`);
    process.exit(1);
  }
  runService({ service, config, imports: imports(config) }).catch((e: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: 'boot failed', err: e instanceof Error ? e.stack : String(e) })}\n`);
    process.exit(1);
  });
}
