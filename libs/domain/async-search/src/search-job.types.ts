// 非同期履歴検索 (async search) job, SPEC §10. One stream per job: `search-job-<id>`.
// Time and ids arrive in the commands (STYLE.md "Domain code"); every event carries `at`.

/** 未処理 / 処理中 / 正常終了 / 異常終了 (SPEC S-2), plus the two states a job is in outside them. */
export type SearchJobStatus = 'pending' | 'processing' | 'done' | 'failed';

/** The account that registered the job; every job belongs to exactly one (SPEC S-4). */
export interface SearchJobOwner {
  readonly login: string;
  /** Where the done notice goes (SPEC S-5); no mail when absent. */
  readonly email?: string;
}

/** The search, as registered: opaque to the domain (the target's schema checks it at the edge). */
export interface SearchJobDefinition {
  readonly target: string;
  readonly conditions: Readonly<Record<string, unknown>>;
  /** What the account may see (SPEC A-1), fixed when registered; absent = everything. */
  readonly scope?: { readonly numbers: readonly string[] };
  readonly memo: string;
}

export interface SearchJobError {
  /** AREA.REASON */
  readonly code: string;
  readonly message: string;
}

/** Mail of SPEC S-5: not wanted (no address), owed, sent, or given up after repeated failures. */
export type NotificationStatus = 'none' | 'pending' | 'sent' | 'failed';

// ---------------------------------------------------------------- state

export interface NoSearchJob {
  readonly status: 'absent';
}

export interface SearchJob extends SearchJobDefinition {
  readonly status: SearchJobStatus | 'deleted';
  readonly jobId: string;
  readonly owner: SearchJobOwner;
  /** 登録日時 */
  readonly createdAt: string;
  /** Starts so far over the job's life: the fencing token of the current run. */
  readonly attempt: number;
  /** Starts since registration or the last user retry (bounded by maxAttempts on worker loss). */
  readonly tries: number;
  /** The run in progress (status processing). */
  readonly run?: { readonly attempt: number; readonly workerId: string; readonly leaseUntil: string; readonly heartbeatAt: string };
  /** Rows written by the current or last run; `total` when the worker counted the matches. */
  readonly progress: { readonly rows: number; readonly total?: number };
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Set when done. */
  readonly result?: { readonly key: string; readonly rowCount: number; readonly bytes: number };
  /** Set when failed. */
  readonly error?: SearchJobError;
  readonly notification: NotificationStatus;
  readonly notificationFailures: number;
  /** When the last send failed (the sweep backs off from it). */
  readonly notificationFailedAt?: string;
  readonly deletedAt?: string;
}

export type SearchJobState = NoSearchJob | SearchJob;

// ---------------------------------------------------------------- commands

export interface RegisterSearchJob extends SearchJobDefinition {
  readonly type: 'RegisterSearchJob';
  readonly jobId: string;
  readonly owner: SearchJobOwner;
  readonly now: number;
}

/** A worker claims a pending job (the append at the version it read is the claim). */
export interface StartSearchJob {
  readonly type: 'StartSearchJob';
  readonly workerId: string;
  readonly leaseMs: number;
  readonly now: number;
}

/** Rows written so far; renews the run's lease (the heartbeat). */
export interface ReportSearchJobProgress {
  readonly type: 'ReportSearchJobProgress';
  readonly attempt: number;
  readonly rows: number;
  readonly total?: number;
  readonly leaseMs: number;
  readonly now: number;
}

export interface CompleteSearchJob {
  readonly type: 'CompleteSearchJob';
  readonly attempt: number;
  readonly resultKey: string;
  readonly rowCount: number;
  readonly bytes: number;
  readonly now: number;
}

export interface FailSearchJob {
  readonly type: 'FailSearchJob';
  readonly attempt: number;
  readonly error: SearchJobError;
  readonly now: number;
}

/** The worker stops before finishing (it is shutting down): back to pending, not a failed try. */
export interface ReleaseSearchJob {
  readonly type: 'ReleaseSearchJob';
  readonly attempt: number;
  readonly reason: string;
  readonly now: number;
}

/** The sweep: a run whose lease lapsed lost its worker; back to pending, or failed after maxAttempts tries. */
export interface ExpireSearchJobLease {
  readonly type: 'ExpireSearchJobLease';
  readonly maxAttempts: number;
  readonly now: number;
}

/** 異常終了 → 未処理 (SPEC S-2 "failed, retryable"), by the job's account. */
export interface RetrySearchJob {
  readonly type: 'RetrySearchJob';
  readonly login: string;
  readonly now: number;
}

/** Frees the account's slot (SPEC S-4), in any state; a run in progress is abandoned by its worker. */
export interface DeleteSearchJob {
  readonly type: 'DeleteSearchJob';
  readonly login: string;
  readonly now: number;
}

export interface RecordSearchJobNotified {
  readonly type: 'RecordSearchJobNotified';
  readonly to: string;
  readonly messageId: string;
  readonly now: number;
}

export interface RecordSearchJobNotificationFailure {
  readonly type: 'RecordSearchJobNotificationFailure';
  readonly to: string;
  readonly reason: string;
  /** After this many failures the mail is given up (recorded as final). */
  readonly maxFailures: number;
  readonly now: number;
}

export type SearchJobCommand =
  | RegisterSearchJob
  | StartSearchJob
  | ReportSearchJobProgress
  | CompleteSearchJob
  | FailSearchJob
  | ReleaseSearchJob
  | ExpireSearchJobLease
  | RetrySearchJob
  | DeleteSearchJob
  | RecordSearchJobNotified
  | RecordSearchJobNotificationFailure;

// ---------------------------------------------------------------- events

export interface SearchJobRegistered {
  readonly type: 'SearchJobRegistered';
  readonly data: SearchJobDefinition & { readonly jobId: string; readonly owner: SearchJobOwner; readonly at: string };
}

export interface SearchJobStarted {
  readonly type: 'SearchJobStarted';
  readonly data: { readonly attempt: number; readonly workerId: string; readonly at: string; readonly leaseUntil: string };
}

export interface SearchJobProgressed {
  readonly type: 'SearchJobProgressed';
  readonly data: { readonly attempt: number; readonly rows: number; readonly total?: number; readonly at: string; readonly leaseUntil: string };
}

export interface SearchJobCompleted {
  readonly type: 'SearchJobCompleted';
  readonly data: { readonly attempt: number; readonly resultKey: string; readonly rowCount: number; readonly bytes: number; readonly at: string };
}

export interface SearchJobFailed {
  readonly type: 'SearchJobFailed';
  readonly data: { readonly attempt: number; readonly error: SearchJobError; readonly at: string };
}

export interface SearchJobReleased {
  readonly type: 'SearchJobReleased';
  readonly data: { readonly attempt: number; readonly workerId: string; readonly reason: string; readonly at: string };
}

/** The run's worker stopped renewing its lease (killed, hung, cut off): the run is over. */
export interface SearchJobLeaseExpired {
  readonly type: 'SearchJobLeaseExpired';
  readonly data: { readonly attempt: number; readonly workerId: string; readonly rows: number; readonly leaseUntil: string; readonly at: string };
}

export interface SearchJobRetried {
  readonly type: 'SearchJobRetried';
  readonly data: { readonly at: string };
}

export interface SearchJobDeleted {
  readonly type: 'SearchJobDeleted';
  /** The result file to remove, if there was one. */
  readonly data: { readonly at: string; readonly resultKey?: string };
}

export interface SearchJobNotified {
  readonly type: 'SearchJobNotified';
  readonly data: { readonly to: string; readonly messageId: string; readonly at: string };
}

export interface SearchJobNotificationFailed {
  readonly type: 'SearchJobNotificationFailed';
  readonly data: { readonly to: string; readonly reason: string; readonly failures: number; readonly final: boolean; readonly at: string };
}

export type SearchJobEvent =
  | SearchJobRegistered
  | SearchJobStarted
  | SearchJobProgressed
  | SearchJobCompleted
  | SearchJobFailed
  | SearchJobReleased
  | SearchJobLeaseExpired
  | SearchJobRetried
  | SearchJobDeleted
  | SearchJobNotified
  | SearchJobNotificationFailed;
export type SearchJobEventType = SearchJobEvent['type'];

export const SEARCH_JOB_EVENT_TYPES: readonly SearchJobEventType[] = [
  'SearchJobRegistered',
  'SearchJobStarted',
  'SearchJobProgressed',
  'SearchJobCompleted',
  'SearchJobFailed',
  'SearchJobReleased',
  'SearchJobLeaseExpired',
  'SearchJobRetried',
  'SearchJobDeleted',
  'SearchJobNotified',
  'SearchJobNotificationFailed',
];

/** Codes the decider says no with (the service maps them once to NATS error replies). */
export const SEARCH_JOB_ERRORS = {
  notFound: 'ASYNC_SEARCH.NOT_FOUND',
  notRetryable: 'ASYNC_SEARCH.NOT_RETRYABLE',
  /** StartSearchJob on a job that is not pending (another worker has it, or it finished). */
  notPending: 'ASYNC_SEARCH.NOT_PENDING',
  /** A worker's report about a run that is no longer current (its lease lapsed, the job was deleted…). */
  leaseLost: 'ASYNC_SEARCH.LEASE_LOST',
  invalidCommand: 'ASYNC_SEARCH.INVALID_COMMAND',
} as const;

/** The error a run ends with when its worker is lost maxAttempts times in a row. */
export const WORKER_LOST = 'ASYNC_SEARCH.WORKER_LOST';
