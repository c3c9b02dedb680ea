import { Inject } from '@nestjs/common';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiController } from '../http/api-controller';
import { Input, Route, RouteInput } from '../http/route';
import { CallLogsHandler } from './call-logs.handler';
import { searchCallLogsRoute } from './call-logs.route';

@ApiController('call-logs')
export class CallLogsHttpController {
  constructor(@Inject(CallLogsHandler) private readonly handler: CallLogsHandler) {}

  @Route(searchCallLogsRoute)
  search(@Input() input: RouteInput<typeof searchCallLogsRoute>, @CurrentPrincipal() who: Principal) {
    return this.handler.execute(input.query, who);
  }
}
