import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CHANNEL_POOLS, ChannelPool, ChannelLimits, ChannelPoolEvent } from '@pbx/domain-channel';

/** What the pool writer reports as it works (Prometheus, on the kit's /metrics). */
export interface WriterObserver {
  stored(commands: number, appendSeconds: number, events: readonly ChannelPoolEvent[], state: ChannelPool): void;
  refused(code: string): void;
  conflict(): void;
  booksClosed(): void;
}

export class PoolMetrics implements WriterObserver {
  private readonly writer: Gauge;
  private readonly held: Gauge<'pool'>;
  private readonly batch: Histogram;
  private readonly append: Histogram;
  private readonly events: Counter<'type'>;
  private readonly refusals: Counter<'code'>;
  private readonly conflicts: Counter;
  private readonly books: Counter;
  private readonly limit: Gauge<'pool'>;

  constructor(registry: Registry, limits: ChannelLimits) {
    const registers = [registry];
    this.limit = new Gauge({ name: 'pbx_channel_quota_limit', help: 'Licensed channels per pool (SPEC Q-1), as provisioned now', labelNames: ['pool'], registers });
    this.limits(limits);
    this.writer = new Gauge({ name: 'pbx_channel_quota_writer', help: '1 while this instance holds the pool lock and writes the pool', registers });
    this.held = new Gauge({ name: 'pbx_channel_quota_held', help: 'Channels held per pool, as the writer sees them (0 on other instances)', labelNames: ['pool'], registers });
    this.batch = new Histogram({ name: 'pbx_channel_quota_batch_commands', help: 'Commands stored per append (group commit)', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers });
    this.append = new Histogram({ name: 'pbx_channel_quota_append_seconds', help: 'Time to append one batch to the pool stream', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5], registers });
    this.events = new Counter({ name: 'pbx_channel_quota_events_total', help: 'Pool events stored, by type', labelNames: ['type'], registers });
    this.refusals = new Counter({ name: 'pbx_channel_quota_refusals_total', help: 'Commands the pool said no to, by error code', labelNames: ['code'], registers });
    this.conflicts = new Counter({ name: 'pbx_channel_quota_conflicts_total', help: 'Appends that found the pool stream moved (another writer): reloaded and decided again', registers });
    this.books = new Counter({ name: 'pbx_channel_quota_books_closed_total', help: 'Pool streams whose books were closed', registers });
  }

  limits(limits: ChannelLimits): void {
    for (const p of CHANNEL_POOLS) this.limit.set({ pool: p }, limits[p]);
  }

  writing(on: boolean, state?: ChannelPool): void {
    this.writer.set(on ? 1 : 0);
    for (const p of CHANNEL_POOLS) this.held.set({ pool: p }, on && state ? state.held[p] : 0);
  }

  stored(commands: number, appendSeconds: number, events: readonly ChannelPoolEvent[], state: ChannelPool): void {
    this.batch.observe(commands);
    this.append.observe(appendSeconds);
    for (const e of events) this.events.inc({ type: e.type });
    for (const p of CHANNEL_POOLS) this.held.set({ pool: p }, state.held[p]);
  }

  refused(code: string): void {
    this.refusals.inc({ code });
  }

  conflict(): void {
    this.conflicts.inc();
  }

  booksClosed(): void {
    this.books.inc();
  }
}
