import { Inject, Injectable } from '@nestjs/common';
import { RetryAsyncSearchReply, RetryAsyncSearchRequest } from '@pbx/contracts';
import { currentCorrelationId } from '@pbx/service-kit';
import { JobDispatch } from '../jobs/job.dispatch';
import { assertJobId, JobRepository } from '../jobs/job.repository';
import { Clock, CLOCK } from '../tokens';

/** cmd.v1.async-search.retry: 異常終了 → 未処理 (SPEC S-2 "failed, retryable"). */
@Injectable()
export class RetryHandler {
  constructor(
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(JobDispatch) private readonly dispatch: JobDispatch,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(req: RetryAsyncSearchRequest): Promise<RetryAsyncSearchReply> {
    assertJobId(req.id);
    const correlationId = currentCorrelationId() ?? req.id;
    await this.jobs.execute(req.id, { type: 'RetrySearchJob', login: req.login, now: this.clock() }, correlationId);
    this.dispatch.pending(req.id, correlationId);
    return { id: req.id, status: 'pending' };
  }
}
