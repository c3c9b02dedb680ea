import { DomainEvent, EventMetadata, RecordedEvent } from './event.types';
import { EventUpcasters } from './upcasters';

/**
 * Row/Emmett shape → RecordedEvent, shared by `readStream` and the consumers. The JSON kept in
 * `emt_messages.message_metadata` is our metadata minus the event id: Emmett keeps that one in
 * its `message_id` column (we hand it the event id as Emmett's `messageId`).
 */
export interface StoredEventFields {
  readonly type: string;
  readonly data: unknown;
  readonly storedMetadata: unknown;
  readonly eventId: string;
  readonly streamName: string;
  readonly streamPosition: bigint;
  readonly globalPosition: bigint;
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);

export function toRecordedEvent<E extends DomainEvent = DomainEvent>(f: StoredEventFields, upcasters: EventUpcasters): RecordedEvent<E> {
  const meta = (typeof f.storedMetadata === 'object' && f.storedMetadata !== null ? f.storedMetadata : {}) as Record<string, unknown>;
  const storedVersion = typeof meta.schemaVersion === 'number' && Number.isInteger(meta.schemaVersion) ? meta.schemaVersion : 1;
  const { data, schemaVersion } = upcasters.upcast({ type: f.type, data: f.data, schemaVersion: storedVersion });
  const correlationId = str(meta.correlationId, '');
  const metadata: EventMetadata = {
    eventId: f.eventId,
    correlationId,
    causationId: str(meta.causationId, correlationId),
    schemaVersion,
    occurredAt: str(meta.occurredAt, ''),
  };
  // The store only holds what was appended as E; the type cannot be checked at run time here.
  return {
    type: f.type,
    data,
    metadata,
    streamName: f.streamName,
    streamPosition: f.streamPosition,
    globalPosition: f.globalPosition,
  } as unknown as RecordedEvent<E>;
}
