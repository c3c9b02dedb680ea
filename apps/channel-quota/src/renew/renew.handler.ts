import { Inject, Injectable } from '@nestjs/common';
import { CHANNEL_QUOTA_ERRORS, RenewLeasesReply, RenewLeasesRequest } from '@pbx/contracts';
import { currentCorrelationId } from '@pbx/service-kit';
import { CHANNEL_POOL, ChannelPoolPort, Clock, CLOCK, POOL_SETTINGS, PoolSettings } from '../pool/channel-pool.port';
import { unwrap } from '../pool/outcome';

/** cmd.v1.channel-quota.renew: keeps live legs' leases (SPEC Q-4); says which legs hold nothing any more. */
@Injectable()
export class RenewHandler {
  constructor(
    @Inject(CHANNEL_POOL) private readonly pool: ChannelPoolPort,
    @Inject(POOL_SETTINGS) private readonly settings: PoolSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(req: RenewLeasesRequest): Promise<RenewLeasesReply> {
    const now = this.clock();
    const leaseMs = req.leaseMs ?? this.settings.defaultLeaseMs;
    const legIds = [...new Set(req.legIds)];
    const outcomes = await this.pool.execute(legIds.map((legId) => ({ type: 'RenewLease', legId, leaseMs, now })), currentCorrelationId() ?? `renew:${now}`);
    const reply: RenewLeasesReply = { renewed: [], notHeld: [] };
    outcomes.forEach((o, i) => {
      if (!o.ok && o.error.code === CHANNEL_QUOTA_ERRORS.leaseNotHeld) reply.notHeld.push(legIds[i]);
      else reply.renewed.push({ legId: legIds[i], expiresAt: unwrap(o).after?.expiresAt ?? new Date(now).toISOString() });
    });
    return reply;
  }
}
