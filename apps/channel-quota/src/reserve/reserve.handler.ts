import { Inject, Injectable } from '@nestjs/common';
import { channelDemand } from '@pbx/domain-channel';
import { ReserveChannelReply, ReserveChannelRequest } from '@pbx/contracts';
import { currentCorrelationId } from '@pbx/service-kit';
import { CHANNEL_POOL, ChannelPoolPort, Clock, CLOCK, POOL_SETTINGS, PoolSettings } from '../pool/channel-pool.port';
import { unwrap } from '../pool/outcome';

/** cmd.v1.channel-quota.reserve: the channel a new leg holds (SPEC Q-2), as a lease. */
@Injectable()
export class ReserveHandler {
  constructor(
    @Inject(CHANNEL_POOL) private readonly pool: ChannelPoolPort,
    @Inject(POOL_SETTINGS) private readonly settings: PoolSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(req: ReserveChannelRequest): Promise<ReserveChannelReply> {
    const demand = channelDemand(req.farEnd);
    if (demand.pool === 'none') {
      const { pools } = await this.pool.view(); // a local phone holds nothing: nothing to store
      return { legId: req.legId, pool: 'none', since: null, expiresAt: null, pools };
    }
    const { leaseMs = this.settings.defaultLeaseMs, ...holder } = req;
    const correlationId = req.requestId ?? currentCorrelationId() ?? req.callId;
    const [outcome] = await this.pool.execute([{ type: 'ReserveChannel', ...holder, pool: demand.pool, leaseMs, now: this.clock() }], correlationId);
    const { after, pools } = unwrap(outcome);
    if (!after) throw new Error(`reserve of ${req.legId} stored but the leg holds nothing`);
    return { legId: req.legId, pool: after.pool, since: after.since, expiresAt: after.expiresAt, pools };
  }
}
