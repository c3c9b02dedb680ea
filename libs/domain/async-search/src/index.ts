// @pbx/domain-async-search — the async search job (非同期履歴検索, SPEC §10): a pure decider.
// No framework, no I/O; time and ids arrive in the commands.
export { initialSearchJob, progressPercent, searchJobDecider } from './search-job.decider';
export { SEARCH_JOB_ERRORS, SEARCH_JOB_EVENT_TYPES, WORKER_LOST } from './search-job.types';
export type * from './search-job.types';
