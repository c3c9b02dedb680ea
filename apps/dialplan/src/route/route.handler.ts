import { Inject, Injectable } from '@nestjs/common';
import { RouteQuery, RouteReply } from '@pbx/contracts';
import { decideRoute } from '@pbx/domain-dialplan';
import type { Provisioning } from '@pbx/provisioning';
import { CURRENT_PROVISIONING } from '../provisioning.provider';

/** Route decision: the pure decider over the provisioning in force (SPEC N-8). */
@Injectable()
export class RouteHandler {
  constructor(@Inject(CURRENT_PROVISIONING) private readonly provisioning: () => Provisioning) {}

  handle(q: RouteQuery): RouteReply {
    return { route: decideRoute(q.dialed, q.caller, this.provisioning(), q.context) };
  }
}
