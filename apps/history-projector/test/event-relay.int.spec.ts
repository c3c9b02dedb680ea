import { createEventStore, decodeRelayedEvent, migrateEventStore } from '@pbx/event-store';
import { runService, RunningService } from '@pbx/service-kit';
import { createTestDatabase, eventually, testNatsUrl } from '@pbx/testing';
import { connect, NatsConnection } from 'nats';
import { configSchema } from '../src/config';
import { HistoryProjectorModule } from '../src/history-projector.module';

describe('history-projector runs the event relay (ARCHITECTURE.md "Events")', () => {
  let svc: RunningService;
  let nc: NatsConnection;
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase('relay_svc');
    await migrateEventStore(url);
    // The relay alone: this database has no read-model tables.
    const config = configSchema.parse({ NATS_URL: testNatsUrl(), DATABASE_URL: url, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: 'silent', PROJECTOR_ENABLED: 'false', RETENTION_ENABLED: 'false' });
    svc = await runService({ service: 'history-projector', config, imports: [HistoryProjectorModule.register(config)] });
    nc = await connect({ servers: testNatsUrl() });
  });
  afterAll(async () => {
    await nc?.close();
    await svc?.close();
  });

  it('publishes an event committed by any writer on evt.v1.<category>.<type>, with its correlation id, and reports it in /metrics and /health', async () => {
    const store = createEventStore({ connectionString: url });
    const legId = `relay${Date.now()}`;
    await store.append(`leg-${legId}`, [{ type: 'LegCreated', data: { legId } }, { type: 'LegRinging', data: { legId } }], { expectedVersion: 0n, metadata: { correlationId: 'req-relay-1' } });
    await store.close();

    const jsm = await nc.jetstreamManager();
    const seen = await eventually('both events in JetStream', async () => {
      const { state } = await jsm.streams.info('EVENTS');
      const found: { subject: string; type: string; stream: string; correlationId: string }[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && seq > 0; seq++) {
        const m = await jsm.streams.getMessage('EVENTS', { seq });
        const e = decodeRelayedEvent(m.data);
        if (e.streamName === `leg-${legId}`) found.push({ subject: m.subject, type: e.type, stream: e.streamName, correlationId: e.metadata.correlationId });
      }
      return found.length >= 2 ? found : undefined;
    });
    expect(seen).toEqual([
      { subject: 'evt.v1.leg.LegCreated', type: 'LegCreated', stream: `leg-${legId}`, correlationId: 'req-relay-1' },
      { subject: 'evt.v1.leg.LegRinging', type: 'LegRinging', stream: `leg-${legId}`, correlationId: 'req-relay-1' },
    ]);

    const metrics = await (await fetch(`${svc.httpUrl}/metrics`)).text();
    expect(Number(/pbx_relay_published_events\{[^}]*\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    const health = (await (await fetch(`${svc.httpUrl}/health`)).json()) as { checks: Record<string, unknown> };
    expect(health.checks.relay).toEqual({ status: 'ok' });
  });
});
