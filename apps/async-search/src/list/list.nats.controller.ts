import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ASYNC_SEARCH_LIST, listAsyncSearchesQuerySchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { ListHandler } from './list.handler';

@Controller()
export class ListNatsController {
  constructor(@Inject(ListHandler) private readonly handler: ListHandler) {}

  @MessagePattern(ASYNC_SEARCH_LIST)
  list(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(listAsyncSearchesQuerySchema, data));
  }
}
