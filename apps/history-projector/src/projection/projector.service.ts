import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Consumer, readConsumerBacklog, startConsumer } from '@pbx/event-store';
import { HealthService, LOGGER, Metrics, PG_POOL } from '@pbx/service-kit';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { HISTORY_CONSUMER, HISTORY_EVENT_TYPES, projectHistoryBatch } from './history.projection';

export const PROJECTOR_SETTINGS = Symbol('PROJECTOR_SETTINGS');
export interface ProjectorSettings {
  connectionString: string;
  enabled: boolean;
  batchSize: number;
}

/**
 * Runs the history consumer (SPEC H-2, H-3): leg and pool events into call_log and
 * channel_usage, checkpointed in the same transaction. Replicas share the checkpoint and the
 * lock: one projects, the others wait (health reports which).
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: Consumer;

  constructor(
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly health: HealthService,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.enabled) return;
    const log = this.log.child({ component: 'projector' });
    const rejected = new Counter({
      name: 'pbx_history_rejected_events_total',
      help: 'Events the history projector could not read (skipped, logged)',
      labelNames: ['type'],
      registers: [this.metrics.registry],
    });
    const consumer = startConsumer({
      name: HISTORY_CONSUMER,
      connectionString: this.settings.connectionString,
      batchSize: this.settings.batchSize,
      eventTypes: HISTORY_EVENT_TYPES,
      logger: log,
      handle: async (events, tx) => {
        await projectHistoryBatch(events, tx, (r) => {
          rejected.inc({ type: r.type });
          log.error({ event: r }, 'history projector skipped an event it cannot read');
        });
      },
    });
    this.consumer = consumer;
    this.health.register('projector', () => {
      if (consumer.state === 'stopped' || consumer.state === 'stopping') throw new Error(`projector ${consumer.state}`);
    });
    const pool = this.pool;
    new Gauge({
      name: 'pbx_history_projector_events',
      help: 'Events this instance has consumed since it started (all types)',
      registers: [this.metrics.registry],
      collect() {
        this.set(consumer.stats.events);
      },
    });
    new Gauge({
      name: 'pbx_history_projector_backlog',
      help: 'Committed events the history projector has not handled yet',
      registers: [this.metrics.registry],
      async collect() {
        this.set(await readConsumerBacklog(pool, HISTORY_CONSUMER).catch(() => -1));
      },
    });
  }

  /** The running consumer (tests and the rebuild script read its position). */
  get running(): Consumer | undefined {
    return this.consumer;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
