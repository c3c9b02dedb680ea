import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ASYNC_SEARCH_RUN, runAsyncSearchMessageSchema } from '@pbx/contracts';
import { SearchWorker } from './search.worker';

/** ASYNC_SEARCH_RUN (no reply): the queue group hands the hint to one instance's worker. */
@Controller()
export class RunNatsController {
  constructor(@Inject(SearchWorker) private readonly worker: SearchWorker) {}

  @EventPattern(ASYNC_SEARCH_RUN)
  async run(@Payload() data: unknown): Promise<void> {
    const msg = runAsyncSearchMessageSchema.safeParse(data);
    if (msg.success) await this.worker.offer(msg.data.id);
  }
}
