import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CHANNEL_QUOTA_USAGE, usageQuerySchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { UsageHandler } from './usage.handler';

@Controller()
export class UsageNatsController {
  constructor(@Inject(UsageHandler) private readonly handler: UsageHandler) {}

  @MessagePattern(CHANNEL_QUOTA_USAGE)
  usage(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(usageQuerySchema, data));
  }
}
