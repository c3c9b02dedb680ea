import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ASYNC_SEARCH_GET, getAsyncSearchQuerySchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { GetHandler } from './get.handler';

@Controller()
export class GetNatsController {
  constructor(@Inject(GetHandler) private readonly handler: GetHandler) {}

  @MessagePattern(ASYNC_SEARCH_GET)
  get(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(getAsyncSearchQuerySchema, data));
  }
}
