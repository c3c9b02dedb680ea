import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DeleteAsyncSearchReply, DeleteAsyncSearchRequest } from '@pbx/contracts';
import type { FileStore } from '@pbx/file-store';
import { currentCorrelationId, LOGGER } from '@pbx/service-kit';
import { assertJobId, JobRepository } from '../jobs/job.repository';
import { Clock, CLOCK, FILE_STORE } from '../tokens';

/**
 * cmd.v1.async-search.delete: frees the account's slot (SPEC S-4) in any state, then removes
 * the result file. A run in progress notices at its next report (its lease is gone) and
 * throws its partial file away.
 */
@Injectable()
export class DeleteHandler {
  constructor(
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(FILE_STORE) private readonly files: FileStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async execute(req: DeleteAsyncSearchRequest): Promise<DeleteAsyncSearchReply> {
    assertJobId(req.id);
    const { events } = await this.jobs.execute(req.id, { type: 'DeleteSearchJob', login: req.login, now: this.clock() }, currentCorrelationId() ?? req.id);
    for (const e of events) {
      if (e.type === 'SearchJobDeleted' && e.data.resultKey) {
        // The job is gone either way; a file left behind is only disk space (logged).
        await this.files.delete(e.data.resultKey).catch((err: unknown) => this.log.warn({ err, jobId: req.id, key: e.data.resultKey }, 'could not remove the result file of a deleted job'));
      }
    }
    return { id: req.id, deleted: true };
  }
}
