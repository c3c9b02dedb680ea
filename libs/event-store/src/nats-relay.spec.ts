import { ConsumedEvent } from './consumer';
import { decodeRelayedEvent, encodeRelayedEvent } from './nats-relay';

describe('relayed event payload', () => {
  it('round-trips an event, positions as exact bigints', () => {
    const e: ConsumedEvent = {
      type: 'LegAnswered',
      data: { legId: 'l1', iccid: '8981100022223333444' },
      streamName: 'leg-l1',
      streamPosition: 3n,
      globalPosition: 9007199254740993n, // above 2^53: must not go through a JS number
      metadata: { eventId: 'e-1', correlationId: 'req-1', causationId: 'cmd-1', schemaVersion: 2, occurredAt: '2025-01-01T00:00:00.000Z' },
      position: { transactionId: '77', globalPosition: 9007199254740993n },
    };
    expect(decodeRelayedEvent(encodeRelayedEvent(e))).toEqual({
      eventId: 'e-1',
      type: 'LegAnswered',
      streamName: 'leg-l1',
      streamPosition: 3n,
      globalPosition: 9007199254740993n,
      data: { legId: 'l1', iccid: '8981100022223333444' },
      metadata: e.metadata,
    });
  });

  it('refuses a payload that is not a relayed event', () => {
    expect(() => decodeRelayedEvent(Buffer.from(JSON.stringify({ type: 'X' })))).toThrow();
  });
});
