import { Inject, Injectable } from '@nestjs/common';
import { UsageQuery, UsageReply } from '@pbx/contracts';
import { CHANNEL_POOL, ChannelPoolPort, Clock, CLOCK, POOL_SETTINGS, PoolSettings } from '../pool/channel-pool.port';
import { legUsage } from '../pool/outcome';

/** qry.v1.channel-quota.usage: チャネル使用状況 (SPEC Q-6), read from the pool's writer (never stale). */
@Injectable()
export class UsageHandler {
  constructor(
    @Inject(CHANNEL_POOL) private readonly pool: ChannelPoolPort,
    @Inject(POOL_SETTINGS) private readonly settings: PoolSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(query: UsageQuery): Promise<UsageReply> {
    const { leases, pools } = await this.pool.view();
    const legs = leases.filter((l) => query.pool === undefined || l.pool === query.pool).map(legUsage);
    legs.sort((a, b) => a.since.localeCompare(b.since));
    return { serverId: this.settings.serverId, at: new Date(this.clock()).toISOString(), pools, legs };
  }
}
