import { DynamicModule, Module } from '@nestjs/common';
import { createEventStore } from '@pbx/event-store';
import { readProvisioningFile } from '@pbx/service-kit';
import { Config } from './config';
import { DisconnectHandler } from './disconnect/disconnect.handler';
import { DisconnectNatsController } from './disconnect/disconnect.nats.controller';
import { CHANNEL_POOL, CLOCK, POOL_SETTINGS, PoolSettings } from './pool/channel-pool.port';
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
        { provide: POOL_SETTINGS, useFactory: () => poolSettings(config) },
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

/** Limits (SPEC Q-1) and the server id, from the provisioning file read at boot (SPEC B-3: a bad file stops the boot). */
function poolSettings(config: Config): PoolSettings {
  const { server } = readProvisioningFile(config.PROVISIONING_FILE);
  return {
    serverId: server.id,
    limits: { channel: server.channelLimit, 'mobile-channel': server.mobileChannelLimit },
    defaultLeaseMs: config.LEASE_TTL_MS,
  };
}
