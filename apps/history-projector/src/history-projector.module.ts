import { DynamicModule, Module } from '@nestjs/common';
import { Config } from './config';
import { EventRelayService, RELAY_SETTINGS } from './event-relay/event-relay.service';

/**
 * Projects leg, call and quota events into the call log, call-center log and reports
 * (SPEC §9), checkpointed with the rows; runs the event relay to NATS.
 */
@Module({})
export class HistoryProjectorModule {
  static register(config: Config): DynamicModule {
    return {
      module: HistoryProjectorModule,
      providers: [{ provide: RELAY_SETTINGS, useValue: { connectionString: config.DATABASE_URL, enabled: config.RELAY_ENABLED } }, EventRelayService],
    };
  }
}
