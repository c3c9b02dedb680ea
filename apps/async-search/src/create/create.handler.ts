import { Inject, Injectable } from '@nestjs/common';
import { CreateAsyncSearchReply, createAsyncSearchRequestSchema } from '@pbx/contracts';
import { currentCorrelationId } from '@pbx/service-kit';
import { z } from 'zod';
import { JobDispatch } from '../jobs/job.dispatch';
import { JobRepository } from '../jobs/job.repository';
import { Clock, CLOCK, NEW_ID } from '../tokens';

type CreateAsyncSearch = z.output<typeof createAsyncSearchRequestSchema>;

/** cmd.v1.async-search.create: registers a pending job (SPEC S-2), at most 10 per account (S-4). */
@Injectable()
export class CreateHandler {
  constructor(
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(JobDispatch) private readonly dispatch: JobDispatch,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NEW_ID) private readonly newId: () => string,
  ) {}

  async execute(req: CreateAsyncSearch): Promise<CreateAsyncSearchReply> {
    const jobId = this.newId();
    const now = this.clock();
    const correlationId = currentCorrelationId() ?? jobId;
    const { account, target, conditions, scope, memo } = req;
    await this.jobs.register(
      { type: 'RegisterSearchJob', jobId, owner: { login: account.login, ...(account.email ? { email: account.email } : {}) }, target, conditions, ...(scope ? { scope } : {}), memo, now },
      correlationId,
    );
    this.dispatch.pending(jobId, correlationId);
    return { id: jobId, status: 'pending', createdAt: new Date(now).toISOString() };
  }
}
