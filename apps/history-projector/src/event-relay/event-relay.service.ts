import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Relay, startRelay } from '@pbx/event-store';
import { HealthService, LOGGER, Metrics, NatsBus } from '@pbx/service-kit';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';

export const RELAY_SETTINGS = Symbol('RELAY_SETTINGS');
export interface RelaySettings {
  connectionString: string;
  enabled: boolean;
}

/**
 * Publishes every committed event to JetStream (`evt.v1.<category>.<type>`), the outbox of
 * ARCHITECTURE.md "Events". Replicas share one checkpoint and lock: one relays, the others wait.
 */
@Injectable()
export class EventRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private relay?: Relay;

  constructor(
    @Inject(RELAY_SETTINGS) private readonly settings: RelaySettings,
    private readonly bus: NatsBus,
    private readonly health: HealthService,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.enabled) return;
    this.relay = await startRelay({ connectionString: this.settings.connectionString, nats: this.bus.connection, logger: this.log.child({ component: 'relay' }) });
    const relay = this.relay;
    this.health.register('relay', () => {
      if (relay.state === 'stopped' || relay.state === 'stopping') throw new Error(`relay ${relay.state}`);
    });
    new Gauge({
      name: 'pbx_relay_published_events',
      help: 'Events this instance has published to JetStream since it started',
      registers: [this.metrics.registry],
      collect() {
        this.set(relay.relayStats.published);
      },
    });
    new Gauge({
      name: 'pbx_relay_global_position',
      help: 'Global position of the last event relayed',
      registers: [this.metrics.registry],
      collect() {
        this.set(Number(relay.position.globalPosition));
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}
