import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CHANNEL_QUOTA_RENEW, renewLeasesRequestSchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { RenewHandler } from './renew.handler';

@Controller()
export class RenewNatsController {
  constructor(@Inject(RenewHandler) private readonly handler: RenewHandler) {}

  @MessagePattern(CHANNEL_QUOTA_RENEW)
  renew(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(renewLeasesRequestSchema, data));
  }
}
