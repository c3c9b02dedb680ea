import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per process, with Node's default metrics and the kit's own. */
export class Metrics {
  readonly registry = new Registry();
  readonly natsHandled: Histogram<'subject' | 'outcome'>;
  readonly httpRequests: Counter<'route' | 'status'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'pbx_' });
    this.natsHandled = new Histogram({
      name: 'pbx_nats_handler_seconds',
      help: 'Time to handle one NATS request or event, by subject and outcome',
      labelNames: ['subject', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    });
    this.httpRequests = new Counter({
      name: 'pbx_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers: [this.registry],
    });
  }
}
