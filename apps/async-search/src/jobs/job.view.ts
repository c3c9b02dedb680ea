import { AsyncSearchConditions, AsyncSearchJobView, AsyncSearchTarget } from '@pbx/contracts';
import { progressPercent, SearchJob } from '@pbx/domain-async-search';

/** The job as the contract shows it (qry.v1.async-search.get / list). */
export function toJobView(job: SearchJob): AsyncSearchJobView {
  if (job.status === 'deleted') throw new Error(`job ${job.jobId} is deleted: it has no view`);
  const percent = progressPercent(job);
  const ran = job.status === 'processing' || job.status === 'done' || job.status === 'failed';
  const finished = job.status === 'done' || job.status === 'failed';
  return {
    id: job.jobId,
    target: job.target as AsyncSearchTarget,
    conditions: job.conditions as AsyncSearchConditions,
    memo: job.memo,
    status: job.status,
    progress: { rows: job.progress.rows, ...(percent !== undefined ? { percent } : {}) },
    rowCount: job.result?.rowCount ?? job.progress.rows,
    ...(job.status === 'failed' && job.error ? { failure: { code: job.error.code, message: job.error.message } } : {}),
    createdAt: job.createdAt,
    startedAt: ran ? (job.startedAt ?? null) : null,
    finishedAt: finished ? (job.finishedAt ?? null) : null,
    ...(job.status === 'done' && job.result ? { resultKey: job.result.key } : {}),
  };
}
