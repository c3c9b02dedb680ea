/**
 * What the store keeps per event (ARCHITECTURE.md "Events"): a stable type string, `data`, and
 * metadata. Domain events (from `libs/domain/*`) are `{ type, data }`; the store adds the rest.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

export interface EventMetadata {
  /** uuid of this event; also the `Nats-Msg-Id` the relay publishes it with. */
  readonly eventId: string;
  /** The call's request id: every event caused, directly or not, by one request shares it. */
  readonly correlationId: string;
  /** Id of the message (command, event) that caused this event; the correlation id when none. */
  readonly causationId: string;
  /** Version of the shape of `data`; older versions are upcast on read. */
  readonly schemaVersion: number;
  /** ISO-8601 instant the event was appended (from the store's injected clock). */
  readonly occurredAt: string;
}

/** Who caused an append; given by the caller of `append` / `handleCommand`. */
export interface CausationMetadata {
  readonly correlationId: string;
  readonly causationId?: string;
}

/** Where a stored event sits: its stream and stream position, and its global position. */
export interface EventPosition {
  readonly streamName: string;
  /** 1-based position inside the stream; the stream's version is the position of its last event. */
  readonly streamPosition: bigint;
  /** Position in the whole store (a sequence; NOT committed in order, see docs/event-store.md). */
  readonly globalPosition: bigint;
}

/** A stored event as read back: the domain event plus metadata and positions. */
export type RecordedEvent<E extends DomainEvent = DomainEvent> = E & EventPosition & { readonly metadata: EventMetadata };

/**
 * Expected version of a stream for optimistic concurrency: the version last read
 * (`readStream(...).version`), or 0 for "the stream must not exist yet".
 */
export type ExpectedVersion = bigint | number;
