import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { SEARCH_JOB_ERRORS, SearchJob, SearchJobError } from '@pbx/domain-async-search';
import { DomainError } from '@pbx/domain-kernel';
import { FileStore, FileUpload, isFileStoreError } from '@pbx/file-store';
import type { Config } from '../config';
import { JobRepository } from '../jobs/job.repository';
import { JobNotifier } from '../mail/job.notifier';
import { Clock } from '../tokens';
import { RunLease } from '../worker/run-lease';
import { csvHead, csvRow } from './csv';
import { CsvSink } from './csv-sink';
import { streamRows, TextRow } from './stream-rows';
import { ExportTargets } from './export-target';
import { ExportMetrics } from './export.metrics';

export type RunOutcome = 'done' | 'failed' | 'lost' | 'released';

/** Error codes a run fails with (shown on the job, SPEC S-2 異常終了). */
export const RUN_ERRORS = {
  unknownTarget: 'ASYNC_SEARCH.UNKNOWN_TARGET',
  invalidConditions: 'ASYNC_SEARCH.INVALID_CONDITIONS',
  queryFailed: 'ASYNC_SEARCH.QUERY_FAILED',
  storageFailed: 'ASYNC_SEARCH.STORAGE_FAILED',
  internal: 'ASYNC_SEARCH.INTERNAL',
} as const;

class RunStopped extends Error {
  constructor(readonly outcome: 'lost' | 'released') {
    super(outcome);
  }
}

class RunFailed extends Error {
  constructor(readonly error: SearchJobError) {
    super(error.message);
  }
}

/** Where the CSV of one run goes: one file per attempt, so a stale run can never overwrite a newer one. */
export const resultKey = (jobId: string, attempt: number): string => `async-search/${jobId}/${attempt}.csv`;

export interface ExportRunnerDeps {
  readonly jobs: JobRepository;
  readonly files: FileStore;
  readonly targets: ExportTargets;
  /** Connections for the cursors (one per running job). */
  readonly exportPool: Pool;
  readonly notifier: JobNotifier;
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics?: ExportMetrics;
}

/**
 * Runs one claimed job (SPEC S-3): in a read-only REPEATABLE READ transaction (one snapshot for
 * the count and the rows), DECLARE a server-side cursor over the target's query and FETCH it
 * FETCH_SIZE rows at a time; each batch becomes one CSV string written to the file store with
 * back-pressure, so memory holds one batch whatever the row count. Progress and the lease go
 * through {@link RunLease}. Then: publish the file, record SearchJobCompleted, send the mail.
 *
 * The read-only transaction takes no transaction id, so it does not hold back the event store's
 * consumers (docs/event-store.md "the horizon"), however long the export runs.
 */
export class ExportRunner {
  constructor(private readonly d: ExportRunnerDeps) {}

  async run(job: SearchJob, attempt: number, workerId: string, signal: AbortSignal): Promise<RunOutcome> {
    const m = this.d.metrics;
    m?.running.inc();
    const t0 = this.d.clock();
    try {
      const outcome = await this.runOnce(job, attempt, workerId, signal);
      m?.runs.inc({ outcome });
      if (outcome === 'done') m?.seconds.observe((this.d.clock() - t0) / 1000);
      return outcome;
    } finally {
      m?.running.dec();
    }
  }

  private async runOnce(job: SearchJob, attempt: number, workerId: string, signal: AbortSignal): Promise<RunOutcome> {
    const { config, clock } = this.d;
    const log = this.d.log.child({ jobId: job.jobId, attempt });
    const lease = new RunLease(this.d.jobs, job.jobId, attempt, { leaseMs: config.LEASE_MS, heartbeatMs: config.HEARTBEAT_MS, everyRows: config.PROGRESS_EVERY_ROWS, clock, log });
    const key = resultKey(job.jobId, attempt);
    let upload: FileUpload | undefined;
    let client: PoolClient | undefined;
    const t0 = clock();
    lease.start();
    try {
      const target = this.d.targets.get(job.target);
      if (!target) throw new RunFailed({ code: RUN_ERRORS.unknownTarget, message: `unknown search target ${JSON.stringify(job.target)}` });
      let statements: ReturnType<typeof target.statements>;
      try {
        statements = target.statements(job.conditions, job.scope);
      } catch (e) {
        if (e instanceof ZodError) throw new RunFailed({ code: RUN_ERRORS.invalidConditions, message: `the search conditions are not valid for ${job.target}: ${e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` });
        throw e;
      }

      upload = await this.d.files.createWriteStream(key).catch((e: unknown) => {
        throw storageFailure(e);
      });
      const out = upload.stream;

      client = await this.d.exportPool.connect();
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      let total: number | undefined;
      if (config.COUNT_TOTAL) {
        const r = await client.query<{ n: string }>(statements.count.text, statements.count.values);
        total = Number(r.rows[0]?.n ?? 0);
      }
      lease.progress(0, total);
      await client.query(`DECLARE async_search_export NO SCROLL CURSOR FOR ${statements.rows.text}`, statements.rows.values);

      let sink: CsvSink;
      try {
        sink = new CsvSink(out);
        sink.push(csvHead(target.header));
      } catch (e) {
        throw storageFailure(e);
      }
      const fetch = `FETCH ${config.FETCH_SIZE} FROM async_search_export`;
      const encode = (row: TextRow) => sink.push(csvRow(row));
      let rows = 0;
      for (;;) {
        const n = await streamRows(client, fetch, encode);
        rows += n;
        this.d.metrics?.rows.inc(n);
        await sink.settle().catch((e: unknown) => {
          throw storageFailure(e);
        });
        lease.progress(rows);
        if (lease.lost) throw new RunStopped('lost');
        if (n < config.FETCH_SIZE) break; // a short batch: the cursor is exhausted
        if (signal.aborted) throw new RunStopped('released');
      }
      await sink.end().catch((e: unknown) => {
        throw storageFailure(e);
      });
      await client.query('COMMIT');
      client.release();
      client = undefined;

      lease.stop();
      await lease.settle();
      if (lease.lost) throw new RunStopped('lost');
      const file = await upload.commit().catch((e: unknown) => {
        throw storageFailure(e);
      });
      upload = undefined;
      const done = await this.d.jobs.execute(job.jobId, { type: 'CompleteSearchJob', attempt, resultKey: key, rowCount: rows, bytes: file.size, now: clock() }, job.jobId).catch(async (e: unknown) => {
        await this.d.files.delete(key).catch(() => undefined); // a run that lost the job leaves no file behind
        throw e;
      });
      const ms = clock() - t0;
      log.info({ rows, bytes: file.size, ms, rowsPerSecond: ms > 0 ? Math.round((rows * 1000) / ms) : undefined, workerId }, 'async search done');
      if (done.state.status === 'done') await this.d.notifier.notify(done.state).catch((err: unknown) => log.warn({ err }, 'done mail: left to the sweep'));
      return 'done';
    } catch (e) {
      lease.stop();
      await lease.settle();
      await upload?.abort().catch(() => undefined);
      if (client) {
        // The cursor's transaction may be mid-error: roll it back, and drop the connection if even that fails.
        const failed = await client.query('ROLLBACK').then(
          () => false,
          () => true,
        );
        client.release(failed);
        client = undefined;
      }
      return this.finish(e, job, attempt, lease, log);
    } finally {
      lease.stop();
      client?.release();
    }
  }

  private async finish(e: unknown, job: SearchJob, attempt: number, lease: RunLease, log: Logger): Promise<RunOutcome> {
    const now = this.d.clock();
    if (e instanceof RunStopped && e.outcome === 'released') {
      await this.d.jobs.execute(job.jobId, { type: 'ReleaseSearchJob', attempt, reason: 'worker shutting down', now }, job.jobId).catch((err: unknown) => log.warn({ err }, 'could not release the job; its lease will expire'));
      return 'released';
    }
    if ((e instanceof RunStopped && e.outcome === 'lost') || lease.lost || isLeaseLost(e)) return 'lost';
    const error: SearchJobError =
      e instanceof RunFailed ? e.error : isPgError(e) ? { code: RUN_ERRORS.queryFailed, message: `the search query failed (PostgreSQL ${e.code})` } : { code: RUN_ERRORS.internal, message: 'the search stopped on an internal error' };
    log.error({ err: e, code: error.code }, 'async search failed');
    try {
      await this.d.jobs.execute(job.jobId, { type: 'FailSearchJob', attempt, error, now }, job.jobId);
      return 'failed';
    } catch (err) {
      if (isLeaseLost(err)) return 'lost';
      log.warn({ err }, 'could not record the failure; the lease will expire and the sweep takes over');
      return 'failed';
    }
  }
}

function storageFailure(e: unknown): RunFailed {
  const what = isFileStoreError(e) ? e.code : e instanceof Error && 'code' in e ? String((e as NodeJS.ErrnoException).code) : 'error';
  return new RunFailed({ code: RUN_ERRORS.storageFailed, message: `the result file could not be written (${what})` });
}

function isPgError(e: unknown): e is { code: string } {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((e as { code: string }).code);
}

function isLeaseLost(e: unknown): boolean {
  return e instanceof DomainError && (e.code === SEARCH_JOB_ERRORS.leaseLost || e.code === SEARCH_JOB_ERRORS.notFound);
}
