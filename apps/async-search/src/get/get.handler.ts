import { Inject, Injectable } from '@nestjs/common';
import { ASYNC_SEARCH_ERRORS, GetAsyncSearchQuery, GetAsyncSearchReply } from '@pbx/contracts';
import { DomainError } from '@pbx/domain-kernel';
import { JobRepository } from '../jobs/job.repository';
import { toJobView } from '../jobs/job.view';

/** qry.v1.async-search.get: one job of the account; another account's job is NOT_FOUND (SPEC A-2: nothing leaks). */
@Injectable()
export class GetHandler {
  constructor(@Inject(JobRepository) private readonly jobs: JobRepository) {}

  async execute(q: GetAsyncSearchQuery): Promise<GetAsyncSearchReply> {
    const row = await this.jobs.readModel.get(q.id);
    if (!row || row.job.status === 'deleted' || row.job.owner.login !== q.login) {
      throw new DomainError(ASYNC_SEARCH_ERRORS.notFound, 'no such async search for this account');
    }
    return toJobView(row.job);
  }
}
