import { toRecordedEvent } from './stored-event.mapper';
import { EventUpcasters } from './upcasters';

const fields = { type: 'LegAnswered', data: { at: 'T' }, eventId: 'e-1', streamName: 'leg-1', streamPosition: 2n, globalPosition: 40n };

describe('stored event → RecordedEvent', () => {
  it('takes the event id from Emmett’s message id and the rest from the stored metadata, upcasting the data', () => {
    const upcasters = new EventUpcasters().register('LegAnswered', 1, (d) => ({ ...(d as object), codec: 'PCMU' }));
    const stored = { correlationId: 'req-1', causationId: 'cmd-1', schemaVersion: 1, occurredAt: '2025-01-01T00:00:00.000Z' };
    expect(toRecordedEvent({ ...fields, storedMetadata: stored }, upcasters)).toEqual({
      type: 'LegAnswered',
      data: { at: 'T', codec: 'PCMU' },
      streamName: 'leg-1',
      streamPosition: 2n,
      globalPosition: 40n,
      metadata: { eventId: 'e-1', correlationId: 'req-1', causationId: 'cmd-1', schemaVersion: 2, occurredAt: '2025-01-01T00:00:00.000Z' },
    });
  });

  it('reads an event written without our metadata (e.g. by Emmett directly) as version 1, caused by its correlation', () => {
    const e = toRecordedEvent({ ...fields, storedMetadata: {} }, new EventUpcasters());
    expect(e.metadata).toEqual({ eventId: 'e-1', correlationId: '', causationId: '', schemaVersion: 1, occurredAt: '' });
  });
});
