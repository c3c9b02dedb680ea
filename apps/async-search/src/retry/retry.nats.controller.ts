import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ASYNC_SEARCH_RETRY, retryAsyncSearchRequestSchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { RetryHandler } from './retry.handler';

@Controller()
export class RetryNatsController {
  constructor(@Inject(RetryHandler) private readonly handler: RetryHandler) {}

  @MessagePattern(ASYNC_SEARCH_RETRY)
  retry(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(retryAsyncSearchRequestSchema, data));
  }
}
