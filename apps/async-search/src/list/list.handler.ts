import { Inject, Injectable } from '@nestjs/common';
import { ListAsyncSearchesQuery, ListAsyncSearchesReply } from '@pbx/contracts';
import { JobRepository } from '../jobs/job.repository';
import { toJobView } from '../jobs/job.view';

/** qry.v1.async-search.list: the account's jobs, newest first (from the read model). */
@Injectable()
export class ListHandler {
  constructor(@Inject(JobRepository) private readonly jobs: JobRepository) {}

  async execute(q: ListAsyncSearchesQuery): Promise<ListAsyncSearchesReply> {
    return { items: (await this.jobs.readModel.listByLogin(q.login)).map(toJobView) };
  }
}
