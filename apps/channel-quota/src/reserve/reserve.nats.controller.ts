import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CHANNEL_QUOTA_RESERVE, reserveChannelRequestSchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { ReserveHandler } from './reserve.handler';

@Controller()
export class ReserveNatsController {
  constructor(@Inject(ReserveHandler) private readonly handler: ReserveHandler) {}

  @MessagePattern(CHANNEL_QUOTA_RESERVE)
  reserve(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(reserveChannelRequestSchema, data));
  }
}
