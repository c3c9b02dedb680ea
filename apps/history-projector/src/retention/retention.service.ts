import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { purgeHistoryBefore, PurgeResult, retentionCutoff } from '@pbx/read-models';
import { LOGGER, Metrics, PG_POOL } from '@pbx/service-kit';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { RetentionDays } from './retention-days.provider';

export const RETENTION_SETTINGS = Symbol('RETENTION_SETTINGS');
export interface RetentionSettings {
  enabled: boolean;
  intervalMs: number;
  /** First run after boot. */
  firstRunMs: number;
}
export const CLOCK = Symbol('CLOCK');
export type Clock = () => number;

/**
 * Retention (SPEC K-5): once a day, deletes history rows of calls that started more than
 * `historyRetentionDays` ago — the value in force at that purge (RetentionDays).
 * Replicas each schedule it; a transaction-scoped advisory lock lets one of them purge at a time
 * (the others skip), and a purge is idempotent anyway.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly purged: Counter<'table'>;

  constructor(
    @Inject(RETENTION_SETTINGS) private readonly settings: RetentionSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly days: RetentionDays,
    @Inject(PG_POOL) private readonly pool: Pool,
    metrics: Metrics,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.purged = new Counter({ name: 'pbx_history_purged_rows_total', help: 'History rows deleted by retention (SPEC K-5)', labelNames: ['table'], registers: [metrics.registry] });
  }

  onApplicationBootstrap(): void {
    if (!this.settings.enabled) return;
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        this.running = this.purge()
          .catch((err: unknown) => this.log.error({ err }, 'history retention failed; next try at the next interval'))
          .finally(() => tick(this.settings.intervalMs));
      }, delay);
      this.timer.unref();
    };
    tick(this.settings.firstRunMs);
  }

  /** One purge at the clock's "now"; null when another replica was purging. */
  async purge(): Promise<PurgeResult | null> {
    const days = this.days.current;
    const cutoff = retentionCutoff(new Date(this.clock()), days);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const locked = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtextextended('pbx:history:retention', 0)) AS ok`);
      if (!locked.rows[0]?.ok) {
        await client.query('ROLLBACK');
        return null;
      }
      const result = await purgeHistoryBefore(client, cutoff);
      await client.query('COMMIT');
      this.purged.inc({ table: 'call_log' }, result.callLog);
      this.purged.inc({ table: 'call_center_log' }, result.callCenterLog);
      this.log.info({ cutoff: cutoff.toISOString(), days, ...result }, 'history retention purged');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
