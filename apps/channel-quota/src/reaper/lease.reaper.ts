import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@pbx/service-kit';
import { Config } from '../config';
import { Clock, CLOCK } from '../pool/channel-pool.port';
import { ChannelPoolService, SERVICE_SETTINGS } from '../pool/channel-pool.service';

/**
 * Reclaims leases their owner stopped renewing (SPEC Q-4: a channel never leaks, also when
 * sip-edge, its NATS connection or its process dies mid-call), recording ChannelLeaseExpired.
 * Runs only in the instance that writes the pool, so there is one reaper per server. After a
 * takeover it first waits REAPER_TAKEOVER_GRACE_MS: renewals that failed while nobody held the
 * pool get a chance to land before their leases are judged.
 */
@Injectable()
export class LeaseReaper implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private activeSince = 0;
  private busy = false;
  private readonly log: Logger;

  constructor(
    @Inject(ChannelPoolService) private readonly pool: ChannelPoolService,
    @Inject(SERVICE_SETTINGS) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'lease-reaper' });
  }

  onModuleInit(): void {
    this.pool.onWriterChange((writing) => (writing ? this.start() : this.stop()));
  }

  onModuleDestroy(): void {
    this.stop();
  }

  private start(): void {
    this.stop();
    this.activeSince = this.clock();
    this.timer = setInterval(() => void this.tick(), this.config.REAPER_INTERVAL_MS);
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    const now = this.clock();
    if (this.busy || !this.pool.isWriter || now - this.activeSince < this.config.REAPER_TAKEOVER_GRACE_MS) return;
    this.busy = true;
    try {
      const [outcome] = await this.pool.execute([{ type: 'ExpireLeases', now }], `channel-quota:reaper:${now}`);
      if (outcome.ok && outcome.emitted.length > 0) this.log.warn({ expired: outcome.emitted.length }, 'reclaimed leases that were not renewed');
      if (!outcome.ok) this.log.warn({ error: outcome.error }, 'reaper tick failed');
    } finally {
      this.busy = false;
    }
  }
}
