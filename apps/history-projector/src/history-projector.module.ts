import { DynamicModule, Module } from '@nestjs/common';
import { Config } from './config';
import { EventRelayService, RELAY_SETTINGS } from './event-relay/event-relay.service';
import { PROJECTOR_SETTINGS, ProjectorService } from './projection/projector.service';
import { retentionDaysProvider } from './retention/retention-days.provider';
import { CLOCK, Clock, RETENTION_SETTINGS, RetentionService } from './retention/retention.service';
import { CallLogsHandler } from './search/call-logs.handler';
import { CallLogsNatsController } from './search/call-logs.nats.controller';

/**
 * Projects leg and quota events into the call log and channel usage (SPEC §9), checkpointed
 * with the rows; serves the call-log search (SPEC S-1); purges old history (SPEC K-5, the
 * provisioning's `historyRetentionDays` in force); runs the event relay to NATS. docs/history.md.
 */
@Module({})
export class HistoryProjectorModule {
  static register(config: Config, clock: Clock = Date.now): DynamicModule {
    return {
      module: HistoryProjectorModule,
      controllers: [CallLogsNatsController],
      providers: [
        { provide: RELAY_SETTINGS, useValue: { connectionString: config.DATABASE_URL, enabled: config.RELAY_ENABLED } },
        EventRelayService,
        { provide: PROJECTOR_SETTINGS, useValue: { connectionString: config.DATABASE_URL, enabled: config.PROJECTOR_ENABLED, batchSize: config.PROJECTOR_BATCH_SIZE } },
        ProjectorService,
        { provide: CLOCK, useValue: clock },
        {
          provide: RETENTION_SETTINGS,
          useValue: { enabled: config.RETENTION_ENABLED, intervalMs: config.RETENTION_INTERVAL_MS, firstRunMs: config.RETENTION_FIRST_RUN_MS },
        },
        retentionDaysProvider(config),
        RetentionService,
        CallLogsHandler,
      ],
    };
  }
}
