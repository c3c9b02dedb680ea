import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { SearchJob } from '@pbx/domain-async-search';
import { LOGGER } from '@pbx/service-kit';
import type { Config } from '../config';
import { JobRepository } from '../jobs/job.repository';
import { Clock, CLOCK, CONFIG, MAIL_TRANSPORT } from '../tokens';
import { composeDoneMail } from './done-mail';
import { MailTransport } from './mailer';

/**
 * Sends the done mail (SPEC S-5) and records the outcome on the job: SearchJobNotified, or a
 * counted failure that the sweep retries with back-off until MAIL_MAX_FAILURES. At least once:
 * a crash between the SMTP acceptance and the record sends the mail again.
 */
@Injectable()
export class JobNotifier {
  private readonly log: Logger;
  constructor(
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'notifier' });
  }

  async notify(job: SearchJob): Promise<void> {
    const mail = composeDoneMail(job, { portalUrl: this.config.PORTAL_URL, timeZone: this.config.MAIL_TIME_ZONE });
    if (!mail || job.notification !== 'pending') return;
    const correlationId = job.jobId;
    if (!this.transport.configured) {
      this.log.warn({ jobId: job.jobId }, 'SMTP_HOST is not set: the done mail is not sent');
      await this.jobs.execute(job.jobId, { type: 'RecordSearchJobNotificationFailure', to: mail.to, reason: 'SMTP is not configured', maxFailures: 1, now: this.clock() }, correlationId);
      return;
    }
    try {
      const { messageId } = await this.transport.send(mail);
      await this.jobs.execute(job.jobId, { type: 'RecordSearchJobNotified', to: mail.to, messageId, now: this.clock() }, correlationId);
      this.log.info({ jobId: job.jobId, messageId }, 'done mail sent');
    } catch (e) {
      const reason = e instanceof Error ? e.message.slice(0, 500) : String(e);
      this.log.warn({ jobId: job.jobId, err: e }, 'done mail not sent');
      await this.jobs
        .execute(job.jobId, { type: 'RecordSearchJobNotificationFailure', to: mail.to, reason, maxFailures: this.config.MAIL_MAX_FAILURES, now: this.clock() }, correlationId)
        .catch((err: unknown) => this.log.warn({ jobId: job.jobId, err }, 'could not record the mail failure'));
    }
  }

  /** Whether the sweep should (re)send now: after MAIL_GRACE_MS for a first send, then with doubling back-off. */
  isDue(job: SearchJob, now: number): boolean {
    if (job.notification !== 'pending') return false;
    if (job.notificationFailures === 0) return Date.parse(job.finishedAt ?? job.createdAt) + this.config.MAIL_GRACE_MS <= now;
    const backoff = Math.min(3_600_000, this.config.MAIL_RETRY_BASE_MS * 2 ** (job.notificationFailures - 1));
    return Date.parse(job.notificationFailedAt ?? job.createdAt) + backoff <= now;
  }
}
