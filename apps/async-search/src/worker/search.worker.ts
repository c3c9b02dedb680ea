import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { SEARCH_JOB_ERRORS } from '@pbx/domain-async-search';
import { DomainError } from '@pbx/domain-kernel';
import { LOGGER } from '@pbx/service-kit';
import type { Config } from '../config';
import { ExportRunner } from '../export/export.runner';
import { assertJobId, JobRepository } from '../jobs/job.repository';
import { Clock, CLOCK, CONFIG } from '../tokens';

export const WORKER_ID = Symbol('WORKER_ID');
export const EXPORT_RUNNER = Symbol('EXPORT_RUNNER');

interface Running {
  readonly abort: AbortController;
  done?: Promise<void>;
}

/**
 * Runs up to WORKER_CONCURRENCY jobs in this instance. A job is taken by a claim: appending
 * SearchJobStarted at the version read, so of two workers that try at once exactly one wins
 * (the other's append conflicts and the decider then says NOT_PENDING). Jobs arrive through the
 * NATS queue group (ASYNC_SEARCH_RUN) and, as a backstop, by polling the read model for pending jobs.
 * On shutdown every run is released back to pending.
 */
@Injectable()
export class SearchWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly running = new Map<string, Running>();
  private timer?: NodeJS.Timeout;
  private filling = false;
  private stopping = false;
  private readonly log: Logger;

  constructor(
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(EXPORT_RUNNER) private readonly runner: ExportRunner,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(WORKER_ID) private readonly workerId: string,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'worker', workerId });
  }

  get busy(): number {
    return this.running.size;
  }

  private hasRoom(): boolean {
    return !this.stopping && this.running.size < this.config.WORKER_CONCURRENCY;
  }

  onApplicationBootstrap(): void {
    if (this.config.WORKER_CONCURRENCY === 0) return;
    this.timer = setInterval(() => void this.fill(), this.config.POLL_INTERVAL_MS);
    void this.fill();
  }

  /** A job is said to be pending (NATS hint): take it if there is room. */
  async offer(id: string): Promise<void> {
    try {
      assertJobId(id);
    } catch {
      return;
    }
    if (this.hasRoom()) await this.tryClaim(id);
  }

  /** Takes pending jobs, oldest first, until this instance is full or none is left. */
  async fill(): Promise<void> {
    if (this.filling || !this.hasRoom()) return;
    this.filling = true;
    try {
      while (this.hasRoom()) {
        const ids = (await this.jobs.readModel.pendingIds(this.config.WORKER_CONCURRENCY * 4)).filter((id) => !this.running.has(id));
        let claimed = false;
        for (const id of ids) {
          if (!this.hasRoom()) break;
          if (await this.tryClaim(id)) claimed = true;
        }
        if (!claimed) break;
      }
    } catch (e) {
      this.log.warn({ err: e }, 'looking for pending jobs failed');
    } finally {
      this.filling = false;
    }
  }

  private async tryClaim(id: string): Promise<boolean> {
    if (this.running.has(id) || !this.hasRoom()) return false;
    const slot: Running = { abort: new AbortController() };
    this.running.set(id, slot); // hold the slot while the claim is on its way
    try {
      const claimed = await this.jobs.execute(id, { type: 'StartSearchJob', workerId: this.workerId, leaseMs: this.config.LEASE_MS, now: this.clock() }, id);
      const job = claimed.state;
      if (job.status !== 'processing' || !job.run) throw new Error(`claim of ${id} left it ${job.status}`);
      const attempt = job.run.attempt;
      this.log.info({ jobId: id, attempt }, 'claimed async search');
      slot.done = this.runner
        .run(job, attempt, this.workerId, slot.abort.signal)
        .then((outcome) => this.log.info({ jobId: id, attempt, outcome }, 'run ended'))
        .catch((e: unknown) => this.log.error({ jobId: id, err: e }, 'run crashed'))
        .finally(() => {
          this.running.delete(id);
          if (!this.stopping) void this.fill();
        });
      return true;
    } catch (e) {
      this.running.delete(id);
      const code = e instanceof DomainError ? e.code : undefined;
      if (code !== SEARCH_JOB_ERRORS.notPending && code !== SEARCH_JOB_ERRORS.notFound) this.log.warn({ jobId: id, err: e }, 'claim failed');
      return false;
    }
  }

  /** SIGTERM: take no more jobs, release the running ones (back to pending for another instance). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    for (const r of this.running.values()) r.abort.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
  }
}
