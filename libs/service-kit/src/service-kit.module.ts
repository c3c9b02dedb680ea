import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ServiceName } from '@pbx/contracts';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { BaseConfig } from './config';
import { HealthService } from './health';
import { HealthHttpController, healthNatsController } from './health.controllers';
import { Metrics } from './metrics';
import { NatsBus } from './nats-bus';
import { LOGGER, PG_POOL, SERVICE_CONFIG, SERVICE_NAME } from './tokens';

class Shutdown implements OnApplicationShutdown {
  constructor(
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(PG_POOL) private readonly pool: Pool | null,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    await this.bus.close().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
  }
}

export interface ServiceKitOptions {
  service: ServiceName;
  config: BaseConfig;
  logger: Logger;
  metrics: Metrics;
  instance: string;
}

/**
 * What every service has: its typed config, JSON logger, metrics, health (HTTP + NATS),
 * a NATS bus for outgoing requests and, when DATABASE_URL is set, a PostgreSQL pool.
 */
@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(o: ServiceKitOptions): DynamicModule {
    const health = new HealthService(o.service, o.instance);
    return {
      module: ServiceKitModule,
      controllers: [HealthHttpController, healthNatsController(o.service)],
      providers: [
        { provide: SERVICE_NAME, useValue: o.service },
        { provide: SERVICE_CONFIG, useValue: o.config },
        { provide: LOGGER, useValue: o.logger },
        { provide: Metrics, useValue: o.metrics },
        { provide: HealthService, useValue: health },
        {
          provide: NatsBus,
          useFactory: async () => {
            const bus = await NatsBus.connect(o.config.NATS_URL, `${o.service}:${o.instance}`);
            health.register('nats', () => {
              if (bus.connection.isClosed()) throw new Error('NATS connection closed');
            });
            return bus;
          },
        },
        {
          provide: PG_POOL,
          useFactory: () => {
            if (!o.config.DATABASE_URL) return null;
            const pool = new Pool({ connectionString: o.config.DATABASE_URL, max: 10 });
            pool.on('error', (e) => o.logger.warn({ err: e }, 'idle PostgreSQL client failed'));
            health.register('postgres', async () => {
              await pool.query('select 1');
            });
            return pool;
          },
        },
        Shutdown,
      ],
      exports: [SERVICE_NAME, SERVICE_CONFIG, LOGGER, Metrics, HealthService, NatsBus, PG_POOL],
    };
  }
}
