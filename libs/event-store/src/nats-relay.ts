import { connect, headers as natsHeaders, JetStreamClient, JetStreamManager, nanos, NatsConnection, StorageType } from 'nats';
import { z } from 'zod';
import { Consumer, ConsumedEvent, ConsumerPosition, ConsumerState, ConsumerStats, startConsumer } from './consumer';
import { EventMetadata } from './event.types';
import { defaultLogger, EventStoreLogger } from './logger';
import { EVENT_SUBJECT_PREFIX, parseStreamName } from './stream-name';
import { EventUpcasters } from './upcasters';

/**
 * The outbox relay (ARCHITECTURE.md "Events"): a consumer of the store that publishes every
 * committed event to JetStream on `evt.v1.<category>.<type>`, then checkpoints.
 *
 *  - Nothing uncommitted is published: the relay reads the store like any consumer, below the
 *    snapshot horizon, so it only ever sees committed rows (see consumer.ts).
 *  - Nothing committed is lost: the checkpoint moves only after every publish of the batch is
 *    acknowledged by JetStream (stored); a crash before that re-publishes the batch.
 *  - Re-published events are dropped by JetStream: `Nats-Msg-Id` is the event id, and the stream
 *    deduplicates within its duplicate window (2 min by default).
 *  - Throughput: publishes are pipelined (up to `maxInFlight` awaiting their ack), EXCEPT two
 *    events of the same store stream: the later one is sent only once the earlier is acked.
 *    Race fixed: with plain pipelining, a lost publish (connection dropped with it in the socket
 *    buffer) followed by a later event of the same stream that did get through would be
 *    repaired by the retry AFTER the later one, storing that stream out of order. Holding
 *    per-stream order on acks makes JetStream's order of each stream the store's order whatever
 *    fails, while events of different streams (different calls, legs) still overlap.
 */
export const DEFAULT_EVENTS_STREAM = 'EVENTS';

/** Headers set on every relayed message (besides `Nats-Msg-Id` = event id). */
export const RELAY_HEADERS = {
  correlationId: 'Pbx-Correlation-Id',
  causationId: 'Pbx-Causation-Id',
  eventType: 'Pbx-Event-Type',
  stream: 'Pbx-Stream',
  streamPosition: 'Pbx-Stream-Position',
  globalPosition: 'Pbx-Global-Position',
  schemaVersion: 'Pbx-Schema-Version',
} as const;

export interface EventsStreamOptions {
  /** JetStream stream name (default `EVENTS`). */
  readonly name?: string;
  /** Subject prefix (default `evt.v1`); the stream captures `<prefix>.>`. */
  readonly subjectPrefix?: string;
  /** Deduplication window by `Nats-Msg-Id` (default 2 min). */
  readonly duplicateWindowMs?: number;
}

/**
 * Creates the JetStream stream for relayed events if missing (FILE storage, subjects
 * `<prefix>.>`, duplicate window). An existing stream must capture `<prefix>.>`; its duplicate
 * window is raised to the requested one when shorter.
 */
export async function ensureEventsStream(jsm: JetStreamManager, options: EventsStreamOptions = {}): Promise<void> {
  const name = options.name ?? DEFAULT_EVENTS_STREAM;
  const subject = `${options.subjectPrefix ?? EVENT_SUBJECT_PREFIX}.>`;
  const window = nanos(options.duplicateWindowMs ?? 120_000);
  let existing;
  try {
    existing = await jsm.streams.info(name);
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
    await jsm.streams.add({ name, subjects: [subject], storage: StorageType.File, duplicate_window: window });
    return;
  }
  if (!existing.config.subjects.includes(subject)) {
    throw new Error(`JetStream stream ${name} exists but does not capture ${subject} (subjects: ${existing.config.subjects.join(', ')})`);
  }
  if (existing.config.duplicate_window < window) await jsm.streams.update(name, { ...existing.config, duplicate_window: window });
}

function isStreamNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; api_error?: { err_code?: unknown } } | undefined;
  return e?.api_error?.err_code === 10059 || e?.code === '404' || (error instanceof Error && /stream not found/i.test(error.message));
}

export interface RelayOptions extends EventsStreamOptions {
  readonly connectionString: string;
  /**
   * NATS server URL(s): the relay opens its own connection, tuned for publishing, and closes it
   * on stop() (preferred). Or a connection the caller owns (left open by stop()).
   */
  readonly nats: NatsConnection | string;
  /** Checkpoint/lock name (default `relay:<stream name>`). */
  readonly consumerName?: string;
  /** Events read per batch (default 500). */
  readonly batchSize?: number;
  /** Most publishes awaiting their ack at once (default 256). */
  readonly maxInFlight?: number;
  /** Pause after a read that found nothing (default 10 ms: part of the relay's lag when idle). */
  readonly pollIntervalMs?: number;
  /** Ack timeout per publish (default 5 s). */
  readonly publishTimeoutMs?: number;
  /** When given, events are published in their newest shape; otherwise as stored. */
  readonly upcasters?: EventUpcasters;
  readonly logger?: EventStoreLogger;
  /**
   * Runs after every publish of a batch is acked and before the batch's checkpoint commits:
   * the window in which a crash makes the next relay publish the batch again (deduplicated
   * by JetStream). Fault-injection tests hold here to kill the relay inside that window.
   */
  readonly beforeCheckpoint?: (events: readonly ConsumedEvent[]) => Promise<void>;
}

export interface RelayStats {
  published: number;
  duplicates: number;
}

export interface Relay {
  readonly state: ConsumerState;
  readonly position: ConsumerPosition;
  readonly stats: Readonly<ConsumerStats>;
  readonly relayStats: Readonly<RelayStats>;
  /** Finishes the batch in hand, then stops (and closes the NATS connection it opened). */
  stop(): Promise<void>;
}

/** The payload of a relayed message (JSON); positions travel as decimal strings. */
const relayedEventSchema = z.object({
  eventId: z.string(),
  type: z.string(),
  stream: z.string(),
  streamPosition: z.string().regex(/^\d+$/),
  globalPosition: z.string().regex(/^\d+$/),
  data: z.unknown(),
  metadata: z.object({
    eventId: z.string(),
    correlationId: z.string(),
    causationId: z.string(),
    schemaVersion: z.number().int(),
    occurredAt: z.string(),
  }),
});

export interface RelayedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly streamName: string;
  readonly streamPosition: bigint;
  readonly globalPosition: bigint;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export function encodeRelayedEvent(e: ConsumedEvent): Uint8Array {
  const payload: z.input<typeof relayedEventSchema> = {
    eventId: e.metadata.eventId,
    type: e.type,
    stream: e.streamName,
    streamPosition: e.streamPosition.toString(),
    globalPosition: e.globalPosition.toString(),
    data: e.data,
    metadata: e.metadata,
  };
  return Buffer.from(JSON.stringify(payload));
}

/** Parses a message published by the relay (for subscribers of `evt.v1.>`). */
export function decodeRelayedEvent(payload: Uint8Array): RelayedEvent {
  const p = relayedEventSchema.parse(JSON.parse(Buffer.from(payload).toString('utf8')));
  return {
    eventId: p.eventId,
    type: p.type,
    streamName: p.stream,
    streamPosition: BigInt(p.streamPosition),
    globalPosition: BigInt(p.globalPosition),
    data: p.data,
    metadata: p.metadata,
  };
}

/** Subject token from a stored name; names appended through this library are already valid. */
const token = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_') || '_';
const headerValue = (s: string): string => s.replace(/[\r\n]/g, ' ');

/** Ensures the JetStream stream, then starts the relay consumer in the background. */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  const logger = options.logger ?? defaultLogger();
  const ownsConnection = typeof options.nats === 'string';
  // noAsyncTraces: nats.js otherwise builds two Error objects (stack traces) per publish, which
  // measured ~15% of the relay's CPU; a publish failure still says what failed. The relay keeps
  // reconnecting for as long as it runs (failed batches are retried meanwhile).
  const nc: NatsConnection =
    typeof options.nats === 'string' ? await connect({ servers: options.nats, name: 'pbx-event-relay', noAsyncTraces: true, maxReconnectAttempts: -1 }) : options.nats;
  const streamName = options.name ?? DEFAULT_EVENTS_STREAM;
  const prefix = options.subjectPrefix ?? EVENT_SUBJECT_PREFIX;
  try {
    await ensureEventsStream(await nc.jetstreamManager(), options);
  } catch (error) {
    if (ownsConnection) await nc.close();
    throw error;
  }
  const js = nc.jetstream();
  const relayStats: RelayStats = { published: 0, duplicates: 0 };
  const window = new InFlightWindow(options.maxInFlight ?? 256);
  const timeout = options.publishTimeoutMs ?? 5_000;

  const subjectOf = (e: ConsumedEvent): string => {
    let category: string;
    try {
      category = parseStreamName(e.streamName).category;
    } catch {
      category = token(e.streamName.split('-')[0]);
    }
    return `${prefix}.${token(category)}.${token(e.type)}`;
  };

  const publishOne = async (client: JetStreamClient, e: ConsumedEvent): Promise<void> => {
    const h = natsHeaders();
    h.set(RELAY_HEADERS.correlationId, headerValue(e.metadata.correlationId));
    h.set(RELAY_HEADERS.causationId, headerValue(e.metadata.causationId));
    h.set(RELAY_HEADERS.eventType, headerValue(e.type));
    h.set(RELAY_HEADERS.stream, headerValue(e.streamName));
    h.set(RELAY_HEADERS.streamPosition, e.streamPosition.toString());
    h.set(RELAY_HEADERS.globalPosition, e.globalPosition.toString());
    h.set(RELAY_HEADERS.schemaVersion, String(e.metadata.schemaVersion));
    const ack = await client.publish(subjectOf(e), encodeRelayedEvent(e), { msgID: e.metadata.eventId, headers: h, timeout });
    relayStats.published += 1;
    if (ack.duplicate) relayStats.duplicates += 1;
  };

  const publishBatch = async (events: ConsumedEvent[]): Promise<void> => {
    const tails = new Map<string, Promise<void>>(); // per store stream: the last publish in flight
    const all: Promise<void>[] = [];
    for (const e of events) {
      const previous = tails.get(e.streamName) ?? Promise.resolve();
      // A failed publish fails every later publish of its stream without sending them.
      const p = previous.then(() => window.run(() => publishOne(js, e)));
      tails.set(e.streamName, p);
      all.push(p);
    }
    const results = await Promise.allSettled(all);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  };

  const consumer: Consumer = startConsumer({
    name: options.consumerName ?? `relay:${streamName}`,
    connectionString: options.connectionString,
    batchSize: options.batchSize ?? 500,
    pollIntervalMs: options.pollIntervalMs ?? 10,
    upcasters: options.upcasters,
    logger,
    handle: async (events) => {
      await publishBatch(events);
      await options.beforeCheckpoint?.(events);
    },
  });

  return {
    get state() {
      return consumer.state;
    },
    get position() {
      return consumer.position;
    },
    get stats() {
      return consumer.stats;
    },
    relayStats,
    async stop() {
      await consumer.stop();
      if (ownsConnection) await nc.drain().catch(() => nc.close());
    },
  };
}

/** At most `size` tasks running; the others start in arrival order as slots free up. */
class InFlightWindow {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${size}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A freed slot is handed straight to the oldest waiter, so `running` never exceeds `size`.
    if (this.running >= this.size) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running += 1;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
