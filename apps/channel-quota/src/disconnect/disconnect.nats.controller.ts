import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CHANNEL_QUOTA_DISCONNECT, disconnectLegRequestSchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { DisconnectHandler } from './disconnect.handler';

@Controller()
export class DisconnectNatsController {
  constructor(@Inject(DisconnectHandler) private readonly handler: DisconnectHandler) {}

  @MessagePattern(CHANNEL_QUOTA_DISCONNECT)
  disconnect(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(disconnectLegRequestSchema, data));
  }
}
