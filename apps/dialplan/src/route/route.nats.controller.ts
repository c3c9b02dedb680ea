import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DIALPLAN_ROUTE, RouteReply, routeQuerySchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { RouteHandler } from './route.handler';

@Controller()
export class RouteNatsController {
  constructor(private readonly handler: RouteHandler) {}

  @MessagePattern(DIALPLAN_ROUTE)
  route(@Payload() data: unknown): RouteReply {
    return this.handler.handle(parsePayload(routeQuerySchema, data));
  }
}
