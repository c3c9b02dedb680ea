import { OnModuleDestroy, Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import { ChannelLimits } from '@pbx/domain-channel';
import type { HashedProvisioning } from '@pbx/provisioning';
import { LiveProvisioning, startServiceProvisioning } from '@pbx/provisioning-store';
import { LOGGER, Metrics, NatsBus } from '@pbx/service-kit';
import { Config } from '../config';

/** What channel-quota takes from a provisioning document: the server and its limits (SPEC Q-1). */
export interface PoolProvisioning {
  readonly serverId: string;
  readonly limits: ChannelLimits;
}

const project = (p: HashedProvisioning): PoolProvisioning => ({
  serverId: p.server.id,
  limits: { channel: p.server.channelLimit, 'mobile-channel': p.server.mobileChannelLimit }, // 同時通話数 / モバイルチャネル
});

type Listener = (limits: ChannelLimits) => void;

/**
 * The limits in force (issue #4: a new provisioning without restart). PROVISIONING_FILE at boot
 * names the server; the stored provisioning of that server wins, and every apply is followed.
 * A changed limit reaches the pool writer between two batches; held leases are never touched
 * (docs/provisioning.md: a lowered limit refuses new reservations until usage falls under it).
 * Built by poolLimitsProvider (async: it reads the store before the service answers anything).
 */
export class PoolLimits implements OnModuleDestroy {
  private readonly listeners: Listener[] = [];

  constructor(private readonly live: LiveProvisioning<PoolProvisioning>) {}

  get serverId(): string {
    return this.live.value.serverId;
  }

  get current(): ChannelLimits {
    return this.live.value.limits;
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Called by the live provisioning with each newer document. */
  changed(limits: ChannelLimits): void {
    for (const l of this.listeners) l(limits);
  }

  /** Reads the store again (an instance about to write the pool starts from what is in force). */
  resync(): Promise<void> {
    return this.live.resync();
  }

  onModuleDestroy(): Promise<void> {
    return this.live.close();
  }
}

export function poolLimitsProvider(config: Config): Provider {
  return {
    provide: PoolLimits,
    inject: [NatsBus, LOGGER, Metrics],
    useFactory: async (bus: NatsBus, logger: Logger, metrics: Metrics): Promise<PoolLimits> => {
      const log = logger.child({ component: 'provisioning' });
      const built: { limits?: PoolLimits } = {}; // onChange only fires after start, once it is set
      const live = await startServiceProvisioning({
        file: config.PROVISIONING_FILE,
        databaseUrl: config.DATABASE_URL,
        nats: bus.connection,
        project,
        onChange: (value, applied) => {
          log.info({ version: applied.version, documentHash: applied.documentHash, limits: value.limits }, 'provisioning applied: channel limits in force');
          built.limits?.changed(value.limits);
        },
        log,
        versionGauge: { registry: metrics.registry, name: 'pbx_channel_quota_provisioning_version', help: 'Stored provisioning version the limits come from (0: PROVISIONING_FILE, nothing stored)' },
      });
      log.info({ source: live.source, version: live.version, limits: live.value.limits }, 'channel limits');
      built.limits = new PoolLimits(live);
      return built.limits;
    },
  };
}
