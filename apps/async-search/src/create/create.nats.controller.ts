import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ASYNC_SEARCH_CREATE, createAsyncSearchRequestSchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { CreateHandler } from './create.handler';

@Controller()
export class CreateNatsController {
  constructor(@Inject(CreateHandler) private readonly handler: CreateHandler) {}

  @MessagePattern(ASYNC_SEARCH_CREATE)
  create(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(createAsyncSearchRequestSchema, data));
  }
}
