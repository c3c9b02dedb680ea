import { randomUUID } from 'node:crypto';
import { type Event as EmmettEvent } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore, type PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import type { Pool } from 'pg';
import { StreamVersionConflictError } from './errors';
import { CausationMetadata, DomainEvent, EventMetadata, ExpectedVersion, RecordedEvent } from './event.types';
import { createPool, withPristineGlobalParsers } from './pg-connection';
import { EMMETT_PARTITION } from './schema';
import { toRecordedEvent } from './stored-event.mapper';
import { assertEventType, parseStreamName } from './stream-name';
import { EventUpcasters, NO_UPCASTERS } from './upcasters';

export interface EventStoreOptions {
  readonly connectionString: string;
  /** Stamps `occurredAt`. Injected so tests can assert every field of an event (STYLE.md). */
  readonly clock?: () => Date;
  /** Generates `eventId`s (uuid). */
  readonly newEventId?: () => string;
  /** Upcasting on read; appends are stamped with each type's newest schema version. */
  readonly upcasters?: EventUpcasters;
  /** Size of the connection pool (default 20). */
  readonly poolSize?: number;
}

export interface AppendOptions {
  /** The version the caller read (`readStream(...).version`); 0 when the stream must not exist. */
  readonly expectedVersion: ExpectedVersion;
  readonly metadata: CausationMetadata;
}

export interface AppendResult<E extends DomainEvent = DomainEvent> {
  /** The stream's version after the append: the value to expect next time. */
  readonly nextVersion: bigint;
  /** The events as stored (metadata, stream and global positions). */
  readonly events: RecordedEvent<E>[];
}

export interface ReadStreamResult<E extends DomainEvent = DomainEvent> {
  readonly events: RecordedEvent<E>[];
  /** Position of the last event; 0 for a stream that does not exist. */
  readonly version: bigint;
}

export interface EventStore {
  /**
   * Appends to `stream` if its version is still `expectedVersion`, atomically; otherwise throws
   * {@link StreamVersionConflictError}. Appending no events is a no-op that checks nothing.
   */
  append<E extends DomainEvent>(stream: string, events: readonly E[], options: AppendOptions): Promise<AppendResult<E>>;
  /** All events of `stream`, upcast to their newest shape, with the stream's version. */
  readStream<E extends DomainEvent = DomainEvent>(stream: string): Promise<ReadStreamResult<E>>;
  close(): Promise<void>;
}

type StoredMetadata = Omit<EventMetadata, 'eventId'> & { readonly messageId: string };
type EmmettStoredEvent = EmmettEvent<string, Record<string, unknown>, StoredMetadata>;

/**
 * Emmett's append function (schema of @event-driven-io/emmett-postgresql 0.42), called as ONE
 * parameterised statement. Emmett's own client wraps this same call in BEGIN … COMMIT and
 * formats every value into the SQL text; a single statement is already atomic, and measured
 * here the lean call appends about 1.5 times as many events per second (docs/benchmarks.md).
 * The function takes the transaction id first thing, then checks the expected version against
 * `emt_streams` (INSERT for a new stream: a unique violation when it exists; UPDATE … WHERE
 * stream_position = expected otherwise), then inserts the events.
 */
const APPEND_SQL = `
SELECT success, next_stream_position::text AS next, global_positions::text[] AS positions
  FROM emt_append_to_stream($1::text[], $2::jsonb[], $3::jsonb[], $4::text[], $5::text[], $6::text[], $7::text, $8::text, $9::bigint, '${EMMETT_PARTITION}'::text)`;
const UNIQUE_VIOLATION = '23505';

/**
 * The event store: Emmett's PostgreSQL event store (`emt_streams`, `emt_messages`, its
 * `emt_append_to_stream` function) behind the narrow interface the services need. The schema
 * must exist: run {@link migrateEventStore} first (the stack's migrations step does).
 */
export function createEventStore(options: EventStoreOptions): EventStore {
  const clock = options.clock ?? (() => new Date());
  const newEventId = options.newEventId ?? randomUUID;
  const upcasters = options.upcasters ?? NO_UPCASTERS;
  const pool: Pool = createPool(options.connectionString, { max: options.poolSize ?? 20, application_name: 'pbx-event-store' });
  const emmett: PostgresEventStore = withPristineGlobalParsers(() =>
    getPostgreSQLEventStore(options.connectionString, { schema: { autoMigration: 'None' }, connectionOptions: { pool } }),
  );

  async function currentVersion(stream: string): Promise<bigint> {
    const r = await pool.query<{ v: string }>(
      `SELECT stream_position AS v FROM emt_streams WHERE stream_id = $1 AND partition = '${EMMETT_PARTITION}' AND is_archived = FALSE`,
      [stream],
    );
    return r.rows.length > 0 ? BigInt(r.rows[0].v) : 0n;
  }

  return {
    async append<E extends DomainEvent>(stream: string, events: readonly E[], o: AppendOptions): Promise<AppendResult<E>> {
      const { category } = parseStreamName(stream);
      const expected = BigInt(o.expectedVersion);
      if (expected < 0n) throw new RangeError(`expectedVersion must be >= 0, got ${expected}`);
      if (events.length === 0) return { nextVersion: expected, events: [] };
      const occurredAt = clock().toISOString();
      const causationId = o.metadata.causationId ?? o.metadata.correlationId;
      const ids: string[] = [];
      const metadata: string[] = [];
      const versions: string[] = [];
      const stored: EventMetadata[] = [];
      for (const e of events) {
        assertEventType(e.type);
        const m: EventMetadata = { eventId: newEventId(), correlationId: o.metadata.correlationId, causationId, schemaVersion: upcasters.currentVersion(e.type), occurredAt };
        const { eventId, ...rest } = m; // Emmett keeps the event id in its message_id column
        ids.push(eventId);
        metadata.push(JSON.stringify(rest));
        versions.push(String(m.schemaVersion));
        stored.push(m);
      }
      let row: { success: boolean; next: string | null; positions: string[] | null } | undefined;
      try {
        const r = await pool.query<{ success: boolean; next: string | null; positions: string[] | null }>(APPEND_SQL, [
          ids,
          events.map((e) => JSON.stringify(e.data ?? null)),
          metadata,
          versions,
          events.map((e) => e.type),
          events.map(() => 'E'),
          stream,
          category,
          expected.toString(),
        ]);
        row = r.rows[0];
      } catch (error) {
        if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      }
      if (!row?.success || row.next === null || row.positions === null) throw new StreamVersionConflictError(stream, expected, await currentVersion(stream));
      const positions = row.positions;
      return {
        nextVersion: BigInt(row.next),
        events: events.map((e, i) => ({
          ...e,
          streamName: stream,
          streamPosition: expected + BigInt(i + 1),
          globalPosition: BigInt(positions[i]),
          metadata: stored[i],
        })),
      };
    },

    async readStream<E extends DomainEvent = DomainEvent>(stream: string): Promise<ReadStreamResult<E>> {
      const r = await emmett.readStream<EmmettStoredEvent>(stream);
      const events = r.events.map(({ type, data, metadata }) => {
        const { messageId, streamName, streamPosition, globalPosition, ...stored } = metadata;
        return toRecordedEvent<E>({ type, data, storedMetadata: stored, eventId: messageId, streamName, streamPosition, globalPosition }, upcasters);
      });
      return { events, version: r.currentStreamVersion };
    },

    async close(): Promise<void> {
      await pool.end();
    },
  };
}
