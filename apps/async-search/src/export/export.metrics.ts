import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the workers report on the kit's /metrics. */
export class ExportMetrics {
  readonly running: Gauge;
  readonly rows: Counter;
  readonly runs: Counter<'outcome'>;
  readonly seconds: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.running = new Gauge({ name: 'pbx_async_search_running', help: 'Async searches this instance is running now', registers });
    this.rows = new Counter({ name: 'pbx_async_search_rows_total', help: 'Rows written to result files', registers });
    this.runs = new Counter({ name: 'pbx_async_search_runs_total', help: 'Runs ended, by outcome (done, failed, lost, released)', labelNames: ['outcome'], registers });
    this.seconds = new Histogram({ name: 'pbx_async_search_run_seconds', help: 'Time from claim to done, per finished run', buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800], registers });
  }
}
