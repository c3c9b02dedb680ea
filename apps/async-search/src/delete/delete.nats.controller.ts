import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ASYNC_SEARCH_DELETE, deleteAsyncSearchRequestSchema } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { DeleteHandler } from './delete.handler';

@Controller()
export class DeleteNatsController {
  constructor(@Inject(DeleteHandler) private readonly handler: DeleteHandler) {}

  @MessagePattern(ASYNC_SEARCH_DELETE)
  delete(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(deleteAsyncSearchRequestSchema, data));
  }
}
