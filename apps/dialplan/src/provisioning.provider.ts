import { Inject, Injectable, OnModuleDestroy, Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Provisioning } from '@pbx/provisioning';
import { LiveProvisioning, startServiceProvisioning } from '@pbx/provisioning-store';
import { LOGGER, Metrics, NatsBus } from '@pbx/service-kit';
import { Config } from './config';
import { routingView } from './routing-view';

/** A getter: each route decision reads the document in force at that moment. */
export const CURRENT_PROVISIONING = Symbol('CURRENT_PROVISIONING');
const LIVE_PROVISIONING = Symbol('LIVE_PROVISIONING');

/** Stops following the provisioning before the kit closes the NATS connection. */
@Injectable()
class LiveProvisioningCloser implements OnModuleDestroy {
  constructor(@Inject(LIVE_PROVISIONING) private readonly live: LiveProvisioning<Provisioning>) {}
  onModuleDestroy(): Promise<void> {
    return this.live.close();
  }
}

/**
 * The provisioning the dialplan routes on (issue #4): PROVISIONING_FILE at boot (a bad file
 * stops the boot, SPEC B-3); with DATABASE_URL, the document the store holds for that server
 * wins, and every later apply (`tools/stack provision`) is taken without restart. A new document
 * is a new object, so the decider's per-document index is rebuilt once, on the first route after it.
 */
export function provisioningProviders(config: Config): Provider[] {
  return [
    {
      provide: LIVE_PROVISIONING,
      inject: [NatsBus, LOGGER, Metrics],
      useFactory: async (bus: NatsBus, logger: Logger, metrics: Metrics): Promise<LiveProvisioning<Provisioning>> => {
        const log = logger.child({ component: 'provisioning' });
        const live = await startServiceProvisioning({
          file: config.PROVISIONING_FILE,
          databaseUrl: config.DATABASE_URL,
          nats: bus.connection,
          project: routingView,
          onChange: (_doc, applied) => {
            log.info({ serverId: applied.serverId, version: applied.version, documentHash: applied.documentHash }, 'provisioning applied: routing on the new document');
          },
          log,
          versionGauge: { registry: metrics.registry, name: 'pbx_dialplan_provisioning_version', help: 'Stored provisioning version the dialplan routes on (0: PROVISIONING_FILE, nothing stored)' },
        });
        log.info({ source: live.source, version: live.version, documentHash: live.documentHash }, 'routing on provisioning');
        return live;
      },
    },
    { provide: CURRENT_PROVISIONING, inject: [LIVE_PROVISIONING], useFactory: (live: LiveProvisioning<Provisioning>) => () => live.value },
    LiveProvisioningCloser,
  ];
}
