import { Gauge, Registry } from 'prom-client';
import { TransactionLayer } from '@pbx/sip';
import { B2bua } from './calls/b2bua';
import { SipTransports } from './transport/sip-transports';
import { TrunkMonitor } from './trunks/trunk-monitor';

/** sip-edge's Prometheus gauges, read from the live objects when /metrics is scraped. docs/sip-edge.md "Observability". */
export function registerSipMetrics(reg: Registry, from: { b2bua: B2bua; transports: SipTransports; layer: TransactionLayer; trunks: TrunkMonitor }): void {
  const { b2bua: b, transports: t, layer, trunks } = from;
  new Gauge({
    name: 'pbx_sip_active_calls',
    help: 'Calls in progress on this instance',
    registers: [reg],
    collect() {
      this.set(b.activeCalls);
    },
  });
  new Gauge({
    name: 'pbx_sip_calls',
    help: 'Calls by outcome since start',
    labelNames: ['outcome'],
    registers: [reg],
    collect() {
      this.set({ outcome: 'started' }, b.stats.started);
      this.set({ outcome: 'answered' }, b.stats.answered);
      this.set({ outcome: 'failed' }, b.stats.failed);
    },
  });
  new Gauge({
    name: 'pbx_sip_messages',
    help: 'SIP messages by fate since start (received, sent, rejected = answered 400/513, dropped = unparseable and unanswerable)',
    labelNames: ['fate'],
    registers: [reg],
    collect() {
      for (const [k, v] of Object.entries(t.counters)) this.set({ fate: k }, v);
    },
  });
  new Gauge({
    name: 'pbx_sip_transactions',
    help: 'Live SIP transactions',
    labelNames: ['kind'],
    registers: [reg],
    collect() {
      const c = layer.counts();
      this.set({ kind: 'client' }, c.client);
      this.set({ kind: 'server' }, c.server);
    },
  });
  new Gauge({
    name: 'pbx_sip_trunk_up',
    help: 'Carrier trunk reachability from OPTIONS keep-alive (1 up, 0 down or unknown)',
    labelNames: ['trunk'],
    registers: [reg],
    collect() {
      for (const s of trunks.states()) this.set({ trunk: s.id }, s.state === 'up' ? 1 : 0);
    },
  });
}
