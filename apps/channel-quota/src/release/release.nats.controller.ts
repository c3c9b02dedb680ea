import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CHANNEL_QUOTA_RELEASE, releaseChannelRequestSchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { ReleaseHandler } from './release.handler';

@Controller()
export class ReleaseNatsController {
  constructor(@Inject(ReleaseHandler) private readonly handler: ReleaseHandler) {}

  @MessagePattern(CHANNEL_QUOTA_RELEASE)
  release(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(releaseChannelRequestSchema, data));
  }
}
