// @pbx/event-store — append/read/consume on PostgreSQL (Emmett), relay to NATS JetStream.
// How it works: docs/event-store.md.
export type { CausationMetadata, DomainEvent, EventMetadata, EventPosition, ExpectedVersion, RecordedEvent } from './event.types';
export { createEventStore } from './event-store';
export type { AppendOptions, AppendResult, EventStore, EventStoreOptions, ReadStreamResult } from './event-store';
export { isStreamVersionConflict, StreamVersionConflictError } from './errors';
export { migrateEventStore } from './schema';
export {
  assertEventType,
  categoryOf,
  EVENT_SUBJECT_PREFIX,
  eventSubject,
  InvalidEventTypeError,
  InvalidStreamNameError,
  parseStreamName,
  streamName,
} from './stream-name';
export type { ParsedStreamName } from './stream-name';
export { EventUpcasters, UpcasterRegistrationError } from './upcasters';
export type { UpcastInput, UpcastResult, UpcastStep } from './upcasters';
export { compareConsumerPositions, readConsumerBacklog, readConsumerCheckpoint, readStoreHead, resetConsumer, START_OF_LOG, startConsumer } from './consumer';
export type { ConsumedEvent, Consumer, ConsumerOptions, ConsumerPosition, ConsumerState, ConsumerStats } from './consumer';
export { DEFAULT_EVENTS_STREAM, decodeRelayedEvent, encodeRelayedEvent, ensureEventsStream, RELAY_HEADERS, startRelay } from './nats-relay';
export type { EventsStreamOptions, Relay, RelayedEvent, RelayOptions, RelayStats } from './nats-relay';
export { handleCommand } from './handle-command';
export type { HandleCommandOptions, HandleCommandResult } from './handle-command';
export type { EventStoreLogger } from './logger';
export type { Queryable } from './pg-connection';
