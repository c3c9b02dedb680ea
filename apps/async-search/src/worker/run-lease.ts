import type { Logger } from 'pino';
import { DomainError } from '@pbx/domain-kernel';
import { JobRepository } from '../jobs/job.repository';
import { Clock } from '../tokens';

export interface RunLeaseOptions {
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly everyRows: number;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * The lease of one run: stores its progress every `everyRows` rows and renews the lease every
 * `heartbeatMs` whatever the row rate (a slow query still heartbeats). Reports go one at a time
 * in order. The decider refuses a report of a run that is no longer current (the sweep returned
 * it to pending, the job was deleted): then `lost` is set and the run must stop writing.
 */
export class RunLease {
  private rows = 0;
  private total: number | undefined;
  private reported = -1;
  private inFlight = false;
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  lost?: { code: string; message: string };

  constructor(
    private readonly jobs: JobRepository,
    readonly jobId: string,
    readonly attempt: number,
    private readonly o: RunLeaseOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.report(), this.o.heartbeatMs);
  }

  /** Rows written so far (and the total, once counted); reports when `everyRows` more were written. */
  progress(rows: number, total?: number): void {
    this.rows = rows;
    if (total !== undefined) this.total = total;
    if (rows - Math.max(0, this.reported) >= this.o.everyRows || (total !== undefined && this.reported < 0)) this.report();
  }

  /** Stores the current progress (skipped while a report is on its way; the next one carries it). */
  report(): void {
    if (this.inFlight || this.lost) return;
    this.inFlight = true;
    const rows = this.rows;
    const total = this.total;
    this.chain = this.chain.then(async () => {
      try {
        await this.jobs.execute(this.jobId, { type: 'ReportSearchJobProgress', attempt: this.attempt, rows, ...(total !== undefined ? { total } : {}), leaseMs: this.o.leaseMs, now: this.o.clock() }, this.jobId);
        this.reported = rows;
      } catch (e) {
        if (e instanceof DomainError) {
          this.lost = { code: e.code, message: e.message };
          this.o.log.warn({ jobId: this.jobId, attempt: this.attempt, code: e.code }, 'run lost its lease: stopping');
        } else {
          // A database hiccup: keep going; if it lasts past the lease, the next report finds the run gone.
          this.o.log.warn({ jobId: this.jobId, err: e }, 'progress report failed');
        }
      } finally {
        this.inFlight = false;
      }
    });
  }

  /** Waits for the report on its way. */
  settle(): Promise<void> {
    return this.chain;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
