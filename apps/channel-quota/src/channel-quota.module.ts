import { DynamicModule, Module } from '@nestjs/common';
import { createEventStore } from '@pbx/event-store';
import { Config } from './config';
import { DisconnectHandler } from './disconnect/disconnect.handler';
import { DisconnectNatsController } from './disconnect/disconnect.nats.controller';
import { CHANNEL_POOL, CLOCK, POOL_SETTINGS, PoolSettings } from './pool/channel-pool.port';
import { PoolLimits, poolLimitsProvider } from './pool/pool-limits';
import { ChannelPoolService, EVENT_STORE, SERVICE_SETTINGS } from './pool/channel-pool.service';
import { LeaseReaper } from './reaper/lease.reaper';
import { ReleaseHandler } from './release/release.handler';
import { ReleaseNatsController } from './release/release.nats.controller';
import { RenewHandler } from './renew/renew.handler';
import { RenewNatsController } from './renew/renew.nats.controller';
import { ReserveHandler } from './reserve/reserve.handler';
import { ReserveNatsController } from './reserve/reserve.nats.controller';
import { UsageHandler } from './usage/usage.handler';
import { UsageNatsController } from './usage/usage.nats.controller';

/**
 * Owns the channel and mobile-channel pools (同時通話数 / モバイルチャネル, SPEC §3): atomic
 * reservations as leases, the reaper, usage and admin disconnect. docs/channel-quota.md.
 */
@Module({})
export class ChannelQuotaModule {
  static register(config: Config, clock: () => number = Date.now): DynamicModule {
    return {
      module: ChannelQuotaModule,
      controllers: [ReserveNatsController, RenewNatsController, ReleaseNatsController, UsageNatsController, DisconnectNatsController],
      providers: [
        { provide: SERVICE_SETTINGS, useValue: config },
        poolLimitsProvider(config),
        { provide: POOL_SETTINGS, inject: [PoolLimits], useFactory: (limits: PoolLimits): PoolSettings => ({ serverId: limits.serverId, defaultLeaseMs: config.LEASE_TTL_MS }) },
        { provide: CLOCK, useValue: clock },
        { provide: EVENT_STORE, useFactory: () => createEventStore({ connectionString: config.DATABASE_URL, poolSize: 4 }) },
        ChannelPoolService,
        { provide: CHANNEL_POOL, useExisting: ChannelPoolService },
        LeaseReaper,
        ReserveHandler,
        RenewHandler,
        ReleaseHandler,
        UsageHandler,
        DisconnectHandler,
      ],
    };
  }
}
