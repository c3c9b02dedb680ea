import { Inject } from '@nestjs/common';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiController } from '../http/api-controller';
import { Input, Route, RouteInput } from '../http/route';
import { ChannelsHandler } from './channels.handler';
import { channelUsageRoute, disconnectLegRoute } from './channels.route';

@ApiController('channels')
export class ChannelsHttpController {
  constructor(@Inject(ChannelsHandler) private readonly handler: ChannelsHandler) {}

  @Route(channelUsageRoute)
  usage(@Input() input: RouteInput<typeof channelUsageRoute>, @CurrentPrincipal() who: Principal) {
    return this.handler.usage(input.query, who);
  }

  @Route(disconnectLegRoute)
  disconnect(@Input() input: RouteInput<typeof disconnectLegRoute>, @CurrentPrincipal() who: Principal) {
    return this.handler.disconnect(input.params.legId, who);
  }
}
