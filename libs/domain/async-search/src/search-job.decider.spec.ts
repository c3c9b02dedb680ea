import { DomainError, foldEvents, spec } from '@pbx/domain-kernel';
import { progressPercent, SearchJob, SearchJobCommand, SearchJobEvent, searchJobDecider as job } from './index';

// Given/When/Then per command (STYLE.md): the right events, "says no", "stays quiet".
// SPEC S-2: 未処理 (pending) → 処理中 (processing) → 正常終了 (done) | 異常終了 (failed, retryable).
const T0 = Date.parse('2025-04-01T09:00:00.000Z');
const at = (ms = 0) => new Date(T0 + ms).toISOString();
const LEASE = 30_000;

const definition = { target: 'call-logs', conditions: { from: '2025-03-01T00:00:00.000Z', number: '0312345678' }, memo: '3月の発信' };
const owner = { login: 'sato', email: 'sato@example.jp' };

const registered = (o: { login: string; email?: string } = owner): SearchJobEvent => ({ type: 'SearchJobRegistered', data: { jobId: 'job-1', owner: o, ...definition, at: at() } });
const started = (attempt = 1, now = 1_000, workerId = 'w-1'): SearchJobEvent => ({ type: 'SearchJobStarted', data: { attempt, workerId, at: at(now), leaseUntil: at(now + LEASE) } });
const progressed = (attempt: number, rows: number, now: number, total?: number): SearchJobEvent => ({
  type: 'SearchJobProgressed',
  data: { attempt, rows, ...(total !== undefined ? { total } : {}), at: at(now), leaseUntil: at(now + LEASE) },
});
const completed = (attempt = 1, rowCount = 12_000, now = 9_000): SearchJobEvent => ({
  type: 'SearchJobCompleted',
  data: { attempt, resultKey: `async-search/job-1/${attempt}.csv`, rowCount, bytes: 1_234_567, at: at(now) },
});
const failed = (attempt = 1, now = 5_000): SearchJobEvent => ({ type: 'SearchJobFailed', data: { attempt, error: { code: 'ASYNC_SEARCH.QUERY_FAILED', message: 'boom' }, at: at(now) } });
const expired = (attempt: number, now: number, rows = 0, leaseFrom = 1_000, workerId = 'w-1'): SearchJobEvent => ({
  type: 'SearchJobLeaseExpired',
  data: { attempt, workerId, rows, leaseUntil: at(leaseFrom + LEASE), at: at(now) },
});

const start = (now = 1_000, workerId = 'w-1'): SearchJobCommand => ({ type: 'StartSearchJob', workerId, leaseMs: LEASE, now: T0 + now });
const expire = (now: number, maxAttempts = 3): SearchJobCommand => ({ type: 'ExpireSearchJobLease', maxAttempts, now: T0 + now });

function errorOf(given: SearchJobEvent[], cmd: SearchJobCommand): DomainError {
  try {
    job.decide(cmd, foldEvents(job, given));
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('the decider did not say no');
}

const state = (events: SearchJobEvent[]) => foldEvents(job, events) as SearchJob;

describe('RegisterSearchJob (SPEC S-2)', () => {
  it('registers a pending job with its conditions, memo, owner and registration time', () =>
    spec(job)
      .given([])
      .when({ type: 'RegisterSearchJob', jobId: 'job-1', owner, ...definition, now: T0 })
      .then([registered()]));
  it('stays quiet when the job is already registered', () =>
    spec(job).given([registered()]).when({ type: 'RegisterSearchJob', jobId: 'job-1', owner, ...definition, now: T0 + 5 }).thenNothing());
  it('keeps the scope the account had when it registered (SPEC A-1)', () => {
    const [e] = job.decide({ type: 'RegisterSearchJob', jobId: 'job-1', owner, ...definition, scope: { numbers: ['1001'] }, now: T0 }, job.initialState());
    expect(state([e])).toMatchObject({ status: 'pending', scope: { numbers: ['1001'] }, createdAt: at(), attempt: 0, notification: 'none' });
  });
});

describe('StartSearchJob (the claim)', () => {
  it('claims a pending job: SearchJobStarted with attempt 1, the worker and its lease', () => spec(job).given([registered()]).when(start()).then([started()]));
  it('numbers every start: a restarted job runs as attempt 2', () =>
    spec(job).given([registered(), started(), expired(1, 40_000)]).when(start(41_000, 'w-2')).then([started(2, 41_000, 'w-2')]));
  it('says no when another worker already runs it (NOT_PENDING) — two workers never run one job', () => {
    spec(job).given([registered(), started()]).when(start(1_001, 'w-2')).thenThrows('ASYNC_SEARCH.NOT_PENDING');
    expect(errorOf([registered(), started()], start()).details).toEqual({ status: 'processing' });
  });
  it('says no for a finished, failed or deleted job', () => {
    spec(job).given([registered(), started(), completed()]).when(start(10_000)).thenThrows('ASYNC_SEARCH.NOT_PENDING');
    spec(job).given([registered(), started(), failed()]).when(start(10_000)).thenThrows('ASYNC_SEARCH.NOT_PENDING');
    spec(job).given([registered(), { type: 'SearchJobDeleted', data: { at: at(2) } }]).when(start()).thenThrows('ASYNC_SEARCH.NOT_FOUND');
    spec(job).given([]).when(start()).thenThrows('ASYNC_SEARCH.NOT_FOUND');
  });
  it('says no to a lease that is not positive', () => spec(job).given([registered()]).when({ type: 'StartSearchJob', workerId: 'w', leaseMs: 0, now: T0 }).thenThrows('ASYNC_SEARCH.INVALID_COMMAND'));
});

describe('ReportSearchJobProgress (SPEC S-2 "progress is visible"; the heartbeat)', () => {
  const report = (attempt: number, rows: number, now: number, total?: number): SearchJobCommand => ({ type: 'ReportSearchJobProgress', attempt, rows, total, leaseMs: LEASE, now: T0 + now });
  it('records rows so far and renews the lease', () => spec(job).given([registered(), started()]).when(report(1, 50_000, 3_000, 200_000)).then([progressed(1, 50_000, 3_000, 200_000)]));
  it('carries the known total forward when a report leaves it out', () =>
    spec(job).given([registered(), started(), progressed(1, 10, 2_000, 100)]).when(report(1, 10, 12_000)).then([progressed(1, 10, 12_000, 100)]));
  it('says no to a report of a run that is no longer current (LEASE_LOST): the stale worker stops', () => {
    spec(job).given([registered(), started(), expired(1, 40_000), started(2, 41_000, 'w-2')]).when(report(1, 100, 42_000)).thenThrows('ASYNC_SEARCH.LEASE_LOST');
    spec(job).given([registered(), started(), { type: 'SearchJobDeleted', data: { at: at(2_000) } }]).when(report(1, 100, 3_000)).thenThrows('ASYNC_SEARCH.LEASE_LOST');
    expect(errorOf([registered(), started(), completed()], report(1, 1, 10_000)).message).toBe("attempt 1 is not the job's current run: the job is done");
  });
  it('says no to rows going backwards', () => spec(job).given([registered(), started(), progressed(1, 500, 2_000)]).when(report(1, 499, 3_000)).thenThrows('ASYNC_SEARCH.INVALID_COMMAND'));
});

describe('CompleteSearchJob / FailSearchJob / ReleaseSearchJob', () => {
  it('completes the current run with the result file and row count (正常終了)', () =>
    spec(job)
      .given([registered(), started()])
      .when({ type: 'CompleteSearchJob', attempt: 1, resultKey: 'async-search/job-1/1.csv', rowCount: 12_000, bytes: 1_234_567, now: T0 + 9_000 })
      .then([completed()]));
  it('a done job owes its account a mail when it has an address (SPEC S-5), none otherwise', () => {
    expect(state([registered(), started(), completed()])).toMatchObject({ status: 'done', notification: 'pending', result: { rowCount: 12_000 }, finishedAt: at(9_000) });
    expect(state([registered({ login: 'suzuki' }), started(), completed()]).notification).toBe('none');
  });
  it('fails the current run with the error (異常終了)', () =>
    spec(job)
      .given([registered(), started()])
      .when({ type: 'FailSearchJob', attempt: 1, error: { code: 'ASYNC_SEARCH.QUERY_FAILED', message: 'boom' }, now: T0 + 5_000 })
      .then([failed()]));
  it('says no to a stale run completing or failing', () => {
    const given = [registered(), started(), expired(1, 40_000), started(2, 41_000, 'w-2')];
    spec(job).given(given).when({ type: 'CompleteSearchJob', attempt: 1, resultKey: 'k', rowCount: 1, bytes: 1, now: T0 + 50_000 }).thenThrows('ASYNC_SEARCH.LEASE_LOST');
    spec(job).given(given).when({ type: 'FailSearchJob', attempt: 1, error: { code: 'X.Y', message: 'm' }, now: T0 + 50_000 }).thenThrows('ASYNC_SEARCH.LEASE_LOST');
  });
  it('a worker shutting down releases its run back to pending, without using up a try', () => {
    spec(job)
      .given([registered(), started()])
      .when({ type: 'ReleaseSearchJob', attempt: 1, reason: 'shutdown', now: T0 + 2_000 })
      .then([{ type: 'SearchJobReleased', data: { attempt: 1, workerId: 'w-1', reason: 'shutdown', at: at(2_000) } }]);
    const s = state([registered(), started(), { type: 'SearchJobReleased', data: { attempt: 1, workerId: 'w-1', reason: 'shutdown', at: at(2_000) } }]);
    expect(s).toMatchObject({ status: 'pending', tries: 0, attempt: 1 });
    expect(s.run).toBeUndefined();
  });
});

describe('ExpireSearchJobLease (the sweep: never stuck in processing)', () => {
  it('returns a run whose lease lapsed to pending, recording the lost worker and its rows', () =>
    spec(job)
      .given([registered(), started(), progressed(1, 7_000, 10_000)])
      .when(expire(40_000))
      .then([expired(1, 40_000, 7_000, 10_000)]));
  it('fails the job visibly after maxAttempts lost workers in a row (WORKER_LOST)', () =>
    spec(job)
      .given([registered(), started(), expired(1, 40_000), started(2, 41_000, 'w-2')])
      .when(expire(80_000, 2))
      .then([
        expired(2, 80_000, 0, 41_000, 'w-2'),
        {
          type: 'SearchJobFailed',
          data: { attempt: 2, error: { code: 'ASYNC_SEARCH.WORKER_LOST', message: `the worker running this search was lost 2 time(s) in a row (last lease ended ${at(71_000)}); retry to run it again` }, at: at(80_000) },
        },
      ]));
  it('stays quiet while the lease is being renewed, and for jobs that are not running', () => {
    spec(job).given([registered(), started(), progressed(1, 5, 20_000)]).when(expire(40_000)).thenNothing();
    spec(job).given([registered()]).when(expire(40_000)).thenNothing();
    spec(job).given([registered(), started(), completed()]).when(expire(100_000)).thenNothing();
    spec(job).given([]).when(expire(1)).thenNothing();
  });
});

describe('RetrySearchJob (SPEC S-2 "failed, retryable")', () => {
  const retry = (login = 'sato'): SearchJobCommand => ({ type: 'RetrySearchJob', login, now: T0 + 60_000 });
  it('puts a failed job back to pending, clearing the error and the tries', () => {
    spec(job).given([registered(), started(), failed()]).when(retry()).then([{ type: 'SearchJobRetried', data: { at: at(60_000) } }]);
    const s = state([registered(), started(), failed(), { type: 'SearchJobRetried', data: { at: at(60_000) } }]);
    expect(s).toMatchObject({ status: 'pending', tries: 0, attempt: 1 });
    expect(s.error).toBeUndefined();
  });
  it('says no to a job that is not failed (NOT_RETRYABLE, naming its status)', () => {
    spec(job).given([registered(), started()]).when(retry()).thenThrows('ASYNC_SEARCH.NOT_RETRYABLE');
    expect(errorOf([registered(), started(), completed()], retry()).details).toEqual({ status: 'done' });
  });
  it("says NOT_FOUND for another account's job, so it cannot even learn that it exists", () =>
    spec(job).given([registered(), started(), failed()]).when(retry('suzuki')).thenThrows('ASYNC_SEARCH.NOT_FOUND'));
});

describe('DeleteSearchJob (SPEC S-4: deleting frees a slot)', () => {
  const del = (login = 'sato'): SearchJobCommand => ({ type: 'DeleteSearchJob', login, now: T0 + 70_000 });
  it('deletes a done job, naming its result file to remove', () =>
    spec(job).given([registered(), started(), completed()]).when(del()).then([{ type: 'SearchJobDeleted', data: { at: at(70_000), resultKey: 'async-search/job-1/1.csv' } }]));
  it('deletes a job in any state, also while it runs (its worker then loses the lease)', () => {
    spec(job).given([registered(), started()]).when(del()).then([{ type: 'SearchJobDeleted', data: { at: at(70_000) } }]);
    expect(state([registered(), started(), { type: 'SearchJobDeleted', data: { at: at(70_000) } }])).toMatchObject({ status: 'deleted', deletedAt: at(70_000) });
  });
  it("says NOT_FOUND twice over, and for another account's job", () => {
    spec(job).given([registered(), { type: 'SearchJobDeleted', data: { at: at(1) } }]).when(del()).thenThrows('ASYNC_SEARCH.NOT_FOUND');
    spec(job).given([registered()]).when(del('suzuki')).thenThrows('ASYNC_SEARCH.NOT_FOUND');
    spec(job).given([]).when(del()).thenThrows('ASYNC_SEARCH.NOT_FOUND');
  });
});

describe('notification (SPEC S-5)', () => {
  const notified = (): SearchJobCommand => ({ type: 'RecordSearchJobNotified', to: 'sato@example.jp', messageId: '<m1@pbx>', now: T0 + 10_000 });
  const failure = (max = 3): SearchJobCommand => ({ type: 'RecordSearchJobNotificationFailure', to: 'sato@example.jp', reason: 'ECONNREFUSED', maxFailures: max, now: T0 + 10_000 });
  it('records the sent mail once', () => {
    spec(job).given([registered(), started(), completed()]).when(notified()).then([{ type: 'SearchJobNotified', data: { to: 'sato@example.jp', messageId: '<m1@pbx>', at: at(10_000) } }]);
    spec(job).given([registered(), started(), completed(), { type: 'SearchJobNotified', data: { to: 'sato@example.jp', messageId: '<m1@pbx>', at: at(10_000) } }]).when(notified()).thenNothing();
  });
  it('counts failures and gives up at the limit (final)', () => {
    const f1: SearchJobEvent = { type: 'SearchJobNotificationFailed', data: { to: 'sato@example.jp', reason: 'ECONNREFUSED', failures: 1, final: false, at: at(10_000) } };
    spec(job).given([registered(), started(), completed()]).when(failure()).then([f1]);
    spec(job)
      .given([registered(), started(), completed(), f1])
      .when(failure(2))
      .then([{ type: 'SearchJobNotificationFailed', data: { to: 'sato@example.jp', reason: 'ECONNREFUSED', failures: 2, final: true, at: at(10_000) } }]);
    expect(state([registered(), started(), completed(), f1])).toMatchObject({ notification: 'pending', notificationFailures: 1, notificationFailedAt: at(10_000) });
    expect(state([registered(), started(), completed(), { ...f1, data: { ...f1.data, failures: 2, final: true } }]).notification).toBe('failed');
  });
  it('stays quiet when no mail is owed (no address, not done)', () => {
    spec(job).given([registered({ login: 'suzuki' }), started(), completed()]).when(notified()).thenNothing();
    spec(job).given([registered(), started()]).when(failure()).thenNothing();
  });
});

describe('progressPercent', () => {
  it('is known once the worker counted the matches, and 100 when done', () => {
    expect(progressPercent(state([registered(), started()]))).toBeUndefined();
    expect(progressPercent(state([registered(), started(), progressed(1, 1, 2_000, 3)]))).toBe(33.3);
    expect(progressPercent(state([registered(), started(), completed()]))).toBe(100);
  });
});
