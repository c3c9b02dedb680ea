import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { FileStore, LocalFileStore } from '@pbx/file-store';
import { LOGGER, PG_POOL } from '@pbx/service-kit';
import type { Config } from '../config';
import { JobDispatch } from '../jobs/job.dispatch';
import { JobRepository } from '../jobs/job.repository';
import { JobNotifier } from '../mail/job.notifier';
import { Clock, CLOCK, CONFIG, FILE_STORE } from '../tokens';

/** The advisory lock key that lets one instance sweep at a time (taken and let go on the same session). */
const SWEEP_LOCK = `hashtextextended('pbx:async-search:sweeper', 0)`;

/**
 * Every SWEEP_INTERVAL_MS, in one instance at a time (a session advisory lock, dropped with
 * the connection if the instance dies):
 * - runs whose lease lapsed (their worker was killed, hung or cut off) go back to pending, or
 *   fail with ASYNC_SEARCH.WORKER_LOST after MAX_ATTEMPTS lost runs: never stuck in processing;
 * - done mails still owed (a worker died between done and mail, or SMTP failed) are sent;
 * - temp files of writers that died are removed (every few minutes).
 */
@Injectable()
export class JobSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private lastTempSweep = 0;
  private readonly log: Logger;

  constructor(
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(JobDispatch) private readonly dispatch: JobDispatch,
    @Inject(JobNotifier) private readonly notifier: JobNotifier,
    @Inject(FILE_STORE) private readonly files: FileStore,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'sweeper' });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.SWEEP_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns what it did (tests call it directly). */
  async sweep(): Promise<{ expired: string[]; mailed: string[]; skipped: boolean }> {
    const result = { expired: [] as string[], mailed: [] as string[], skipped: true };
    if (this.busy) return result;
    this.busy = true;
    const lock = await this.pool.connect().catch(() => undefined);
    try {
      if (!lock) return result;
      const got = await lock.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${SWEEP_LOCK}) AS ok`);
      if (!got.rows[0]?.ok) return result;
      result.skipped = false;
      try {
        await this.expireLeases(result.expired);
        await this.sendOwedMail(result.mailed);
        await this.sweepTempFiles();
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(${SWEEP_LOCK})`);
      }
      return result;
    } catch (e) {
      this.log.warn({ err: e }, 'sweep failed');
      return result;
    } finally {
      lock?.release();
      this.busy = false;
    }
  }

  private async expireLeases(expired: string[]): Promise<void> {
    const now = this.clock();
    for (const id of await this.jobs.readModel.lapsedLeaseIds(new Date(now))) {
      const r = await this.jobs.execute(id, { type: 'ExpireSearchJobLease', maxAttempts: this.config.MAX_ATTEMPTS, now }, id);
      if (r.events.length === 0) continue; // renewed in the meantime
      expired.push(id);
      const lost = r.events[0];
      this.log.warn({ jobId: id, ...(lost.type === 'SearchJobLeaseExpired' ? { attempt: lost.data.attempt, workerId: lost.data.workerId, rows: lost.data.rows } : {}), status: r.state.status }, 'run lost its worker');
      if (r.state.status === 'pending') this.dispatch.pending(id);
    }
  }

  private async sendOwedMail(mailed: string[]): Promise<void> {
    const now = this.clock();
    for (const job of await this.jobs.readModel.mailOwed()) {
      if (!this.notifier.isDue(job, now)) continue;
      await this.notifier.notify(job);
      mailed.push(job.jobId);
    }
  }

  private async sweepTempFiles(): Promise<void> {
    const now = this.clock();
    if (!(this.files instanceof LocalFileStore) || now - this.lastTempSweep < 300_000) return;
    this.lastTempSweep = now;
    const removed = await this.files.sweepTemp(this.config.TEMP_FILE_MAX_AGE_MS, now);
    if (removed > 0) this.log.info({ removed }, 'removed temp files of dead writers');
  }
}
