import { Inject, Injectable } from '@nestjs/common';
import { CHANNEL_QUOTA_DISCONNECT, CHANNEL_QUOTA_USAGE, DisconnectLegReply, disconnectLegReplySchema, UsageQuery, UsageReply, usageReplySchema } from '@pbx/contracts';
import { NatsBus } from '@pbx/service-kit';
import { legInScope } from '../accounts/access-scope';
import { Principal } from '../auth/principal';
import { GATEWAY_SETTINGS, GatewaySettings } from '../tokens';

/** チャネル使用状況 and admin disconnect, through channel-quota (SPEC Q-6, C-6). */
@Injectable()
export class ChannelsHandler {
  constructor(
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  async usage(query: UsageQuery, who: Principal): Promise<UsageReply> {
    const usage = await this.bus.request(CHANNEL_QUOTA_USAGE, query, usageReplySchema, { timeoutMs: this.settings.downstreamTimeoutMs });
    return { ...usage, legs: usage.legs.filter((leg) => legInScope(leg, who.scope)) };
  }

  /** The route admits system admins only (SPEC C-6); `requestedBy` records who asked. */
  disconnect(legId: string, who: Principal): Promise<DisconnectLegReply> {
    return this.bus.request(CHANNEL_QUOTA_DISCONNECT, { legId, requestedBy: who.login }, disconnectLegReplySchema, { timeoutMs: this.settings.downstreamTimeoutMs });
  }
}
