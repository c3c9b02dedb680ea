import { assertNever, Decider, DomainError } from '@pbx/domain-kernel';
import {
  SEARCH_JOB_ERRORS,
  SearchJob,
  SearchJobCommand,
  SearchJobEvent,
  SearchJobState,
  WORKER_LOST,
} from './search-job.types';

const iso = (ms: number): string => new Date(ms).toISOString();

export const initialSearchJob = (): SearchJobState => ({ status: 'absent' });

/** The job, or NOT_FOUND: absent, deleted, or (when `login` is given) another account's (SPEC S-4). */
function existing(s: SearchJobState, login?: string): SearchJob {
  if (s.status === 'absent' || s.status === 'deleted' || (login !== undefined && s.owner.login !== login)) {
    throw new DomainError(SEARCH_JOB_ERRORS.notFound, 'no such async search for this account');
  }
  return s;
}

/** The run a worker reports about must be the current one (its attempt is the fencing token). */
function currentRun(s: SearchJobState, attempt: number): SearchJob & { run: NonNullable<SearchJob['run']> } {
  if (s.status !== 'processing' || !s.run || s.run.attempt !== attempt) {
    const now = s.status === 'absent' ? 'absent' : `${s.status}${s.status === 'processing' && s.run ? ` (attempt ${s.run.attempt})` : ''}`;
    throw new DomainError(SEARCH_JOB_ERRORS.leaseLost, `attempt ${attempt} is not the job's current run: the job is ${now}`, { attempt, status: s.status });
  }
  return s as SearchJob & { run: NonNullable<SearchJob['run']> };
}

function positive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new DomainError(SEARCH_JOB_ERRORS.invalidCommand, `${name} must be positive, got ${value}`);
}

function decide(cmd: SearchJobCommand, s: SearchJobState): SearchJobEvent[] {
  switch (cmd.type) {
    case 'RegisterSearchJob': {
      if (s.status !== 'absent') return []; // the same registration again: already there
      const { jobId, owner, target, conditions, scope, memo, now } = cmd;
      return [{ type: 'SearchJobRegistered', data: { jobId, owner, target, conditions, ...(scope ? { scope } : {}), memo, at: iso(now) } }];
    }
    case 'StartSearchJob': {
      const job = existing(s);
      if (job.status !== 'pending') throw new DomainError(SEARCH_JOB_ERRORS.notPending, `the job is ${job.status}, not pending`, { status: job.status });
      positive('leaseMs', cmd.leaseMs);
      return [{ type: 'SearchJobStarted', data: { attempt: job.attempt + 1, workerId: cmd.workerId, at: iso(cmd.now), leaseUntil: iso(cmd.now + cmd.leaseMs) } }];
    }
    case 'ReportSearchJobProgress': {
      const job = currentRun(s, cmd.attempt);
      positive('leaseMs', cmd.leaseMs);
      if (!Number.isInteger(cmd.rows) || cmd.rows < job.progress.rows) {
        throw new DomainError(SEARCH_JOB_ERRORS.invalidCommand, `rows must be a whole number not below ${job.progress.rows}, got ${cmd.rows}`);
      }
      const total = cmd.total ?? job.progress.total;
      return [{ type: 'SearchJobProgressed', data: { attempt: cmd.attempt, rows: cmd.rows, ...(total !== undefined ? { total } : {}), at: iso(cmd.now), leaseUntil: iso(cmd.now + cmd.leaseMs) } }];
    }
    case 'CompleteSearchJob': {
      currentRun(s, cmd.attempt);
      return [{ type: 'SearchJobCompleted', data: { attempt: cmd.attempt, resultKey: cmd.resultKey, rowCount: cmd.rowCount, bytes: cmd.bytes, at: iso(cmd.now) } }];
    }
    case 'FailSearchJob': {
      currentRun(s, cmd.attempt);
      return [{ type: 'SearchJobFailed', data: { attempt: cmd.attempt, error: cmd.error, at: iso(cmd.now) } }];
    }
    case 'ReleaseSearchJob': {
      const job = currentRun(s, cmd.attempt);
      return [{ type: 'SearchJobReleased', data: { attempt: cmd.attempt, workerId: job.run.workerId, reason: cmd.reason, at: iso(cmd.now) } }];
    }
    case 'ExpireSearchJobLease': {
      if (s.status !== 'processing' || !s.run) return []; // nothing running: nothing to expire
      if (cmd.now < Date.parse(s.run.leaseUntil)) return []; // its worker is still renewing
      const { attempt, workerId, leaseUntil } = s.run;
      const expired: SearchJobEvent = { type: 'SearchJobLeaseExpired', data: { attempt, workerId, rows: s.progress.rows, leaseUntil, at: iso(cmd.now) } };
      if (s.tries < cmd.maxAttempts) return [expired]; // back to pending: another worker starts it over
      return [
        expired,
        {
          type: 'SearchJobFailed',
          data: { attempt, error: { code: WORKER_LOST, message: `the worker running this search was lost ${s.tries} time(s) in a row (last lease ended ${leaseUntil}); retry to run it again` }, at: iso(cmd.now) },
        },
      ];
    }
    case 'RetrySearchJob': {
      const job = existing(s, cmd.login);
      if (job.status !== 'failed') throw new DomainError(SEARCH_JOB_ERRORS.notRetryable, `only a failed async search can be retried; this one is ${job.status}`, { status: job.status });
      return [{ type: 'SearchJobRetried', data: { at: iso(cmd.now) } }];
    }
    case 'DeleteSearchJob': {
      const job = existing(s, cmd.login);
      return [{ type: 'SearchJobDeleted', data: { at: iso(cmd.now), ...(job.result ? { resultKey: job.result.key } : {}) } }];
    }
    case 'RecordSearchJobNotified': {
      if (s.status !== 'done' || s.notification !== 'pending') return []; // sent already, or nothing owed
      return [{ type: 'SearchJobNotified', data: { to: cmd.to, messageId: cmd.messageId, at: iso(cmd.now) } }];
    }
    case 'RecordSearchJobNotificationFailure': {
      if (s.status !== 'done' || s.notification !== 'pending') return [];
      const failures = s.notificationFailures + 1;
      return [{ type: 'SearchJobNotificationFailed', data: { to: cmd.to, reason: cmd.reason, failures, final: failures >= cmd.maxFailures, at: iso(cmd.now) } }];
    }
    default:
      return assertNever(cmd, 'search job command');
  }
}

function evolve(s: SearchJobState, e: SearchJobEvent): SearchJobState {
  if (e.type === 'SearchJobRegistered') {
    const { at, ...def } = e.data;
    return { ...def, status: 'pending', createdAt: at, attempt: 0, tries: 0, progress: { rows: 0 }, notification: 'none', notificationFailures: 0 };
  }
  if (s.status === 'absent') return s; // a stream always starts with its registration
  switch (e.type) {
    case 'SearchJobStarted': {
      const { run: _r, error: _e, result: _x, finishedAt: _f, ...rest } = s;
      const { attempt, workerId, at, leaseUntil } = e.data;
      return { ...rest, status: 'processing', attempt, tries: s.tries + 1, run: { attempt, workerId, leaseUntil, heartbeatAt: at }, progress: { rows: 0 }, startedAt: at };
    }
    case 'SearchJobProgressed':
      if (!s.run) return s;
      return {
        ...s,
        progress: { rows: e.data.rows, ...(e.data.total !== undefined ? { total: e.data.total } : {}) },
        run: { ...s.run, leaseUntil: e.data.leaseUntil, heartbeatAt: e.data.at },
      };
    case 'SearchJobCompleted': {
      const { run: _r, notificationFailedAt: _n, ...rest } = s;
      const { resultKey, rowCount, bytes, at } = e.data;
      return {
        ...rest,
        status: 'done',
        result: { key: resultKey, rowCount, bytes },
        progress: { ...s.progress, rows: rowCount },
        finishedAt: at,
        notification: s.owner.email ? 'pending' : 'none',
        notificationFailures: 0,
      };
    }
    case 'SearchJobFailed': {
      const { run: _r, ...rest } = s;
      return { ...rest, status: 'failed', error: e.data.error, finishedAt: e.data.at };
    }
    case 'SearchJobReleased': {
      const { run: _r, ...rest } = s;
      return { ...rest, status: 'pending', tries: Math.max(0, s.tries - 1) }; // a shutdown is not the job's fault
    }
    case 'SearchJobLeaseExpired': {
      const { run: _r, ...rest } = s;
      return { ...rest, status: 'pending' };
    }
    case 'SearchJobRetried': {
      const { error: _e, finishedAt: _f, ...rest } = s;
      return { ...rest, status: 'pending', tries: 0, progress: { rows: 0 } };
    }
    case 'SearchJobDeleted': {
      const { run: _r, ...rest } = s;
      return { ...rest, status: 'deleted', deletedAt: e.data.at };
    }
    case 'SearchJobNotified':
      return { ...s, notification: 'sent' };
    case 'SearchJobNotificationFailed':
      return { ...s, notification: e.data.final ? 'failed' : 'pending', notificationFailures: e.data.failures, notificationFailedAt: e.data.at };
    default:
      return assertNever(e, 'search job event');
  }
}

/** The async search job (SPEC S-2): pending → processing → done | failed; failed is retryable. */
export const searchJobDecider: Decider<SearchJobCommand, SearchJobEvent, SearchJobState> = {
  initialState: initialSearchJob,
  decide,
  evolve,
};

/** Progress in percent when the worker counted the matches (0–100), else undefined. */
export function progressPercent(job: SearchJob): number | undefined {
  if (job.status === 'done') return 100;
  const total = job.progress.total;
  if (total === undefined) return undefined;
  if (total === 0) return job.status === 'processing' ? 0 : undefined;
  return Math.min(100, Math.floor((job.progress.rows / total) * 1000) / 10);
}
