import { Inject, Injectable } from '@nestjs/common';
import { ASYNC_SEARCH_RUN } from '@pbx/contracts';
import { NatsBus } from '@pbx/service-kit';

/**
 * Tells the workers (a queue group: one instance gets it) that a job is pending. Only a hint
 * for latency: a lost message costs at most one worker poll interval.
 */
@Injectable()
export class JobDispatch {
  constructor(@Inject(NatsBus) private readonly bus: NatsBus) {}

  pending(id: string, correlationId?: string): void {
    try {
      this.bus.publish(ASYNC_SEARCH_RUN, { id }, correlationId);
    } catch {
      // a closed connection: the workers' poll finds the job anyway
    }
  }
}
