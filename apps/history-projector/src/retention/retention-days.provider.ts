import { OnModuleDestroy, Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { startServiceProvisioning } from '@pbx/provisioning-store';
import { LOGGER, Metrics, NatsBus } from '@pbx/service-kit';
import { Config, DEFAULT_RETENTION_DAYS } from '../config';
import { retentionDaysOf } from './retention-days';

/**
 * The retention in force (SPEC K-5, issue #4), read by each purge:
 *
 * - with PROVISIONING_FILE: the server's `historyRetentionDays` — from the document the store holds
 *   for the file's server (the file only while nothing is stored), then from every apply, without
 *   restart (startServiceProvisioning, docs/provisioning.md). A bad file stops the boot (SPEC B-3).
 *   HISTORY_RETENTION_DAYS is ignored then (a warning says so when it is set).
 * - without: HISTORY_RETENTION_DAYS (400 when unset), for good.
 *
 * The history-projector runs the relay itself, so it hears its own relay publish the applies.
 * Built by retentionDaysProvider; it stops following before the kit closes the NATS connection.
 */
export class RetentionDays implements OnModuleDestroy {
  constructor(
    private readonly read: () => number,
    private readonly close: () => Promise<void> = async () => undefined,
  ) {}

  get current(): number {
    return this.read();
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}

export function retentionDaysProvider(config: Config): Provider {
  return {
    provide: RetentionDays,
    inject: [NatsBus, LOGGER, Metrics],
    useFactory: async (bus: NatsBus, logger: Logger, metrics: Metrics): Promise<RetentionDays> => {
      const log = logger.child({ component: 'retention' });
      const days = new Gauge({ name: 'pbx_history_retention_days', help: 'historyRetentionDays in force (SPEC K-5)', registers: [metrics.registry] });
      const versionGauge = {
        registry: metrics.registry,
        name: 'pbx_history_projector_provisioning_version',
        help: 'Stored provisioning version the retention comes from (0: PROVISIONING_FILE with nothing stored, or HISTORY_RETENTION_DAYS)',
      };

      if (config.PROVISIONING_FILE === undefined) {
        const fixed = config.HISTORY_RETENTION_DAYS ?? DEFAULT_RETENTION_DAYS;
        days.set(fixed);
        new Gauge({ name: versionGauge.name, help: versionGauge.help, registers: [versionGauge.registry] }).set(0);
        log.info({ days: fixed, source: 'HISTORY_RETENTION_DAYS' }, 'history retention (no PROVISIONING_FILE)');
        return new RetentionDays(() => fixed);
      }

      if (config.HISTORY_RETENTION_DAYS !== undefined) {
        log.warn({ ignored: config.HISTORY_RETENTION_DAYS, file: config.PROVISIONING_FILE }, 'HISTORY_RETENTION_DAYS is ignored: PROVISIONING_FILE is set, the provisioning in force decides');
      }
      const live = await startServiceProvisioning({
        file: config.PROVISIONING_FILE,
        databaseUrl: config.DATABASE_URL,
        nats: bus.connection,
        project: retentionDaysOf,
        onChange: (value, applied) => {
          days.set(value);
          log.info({ days: value, serverId: applied.serverId, version: applied.version, documentHash: applied.documentHash }, 'provisioning applied: history retention in force');
        },
        log,
        versionGauge,
      });
      days.set(live.value);
      log.info({ days: live.value, source: live.source, version: live.version, documentHash: live.documentHash }, 'history retention from the provisioning');
      return new RetentionDays(
        () => live.value,
        () => live.close(),
      );
    },
  };
}
