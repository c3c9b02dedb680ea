import { Client, ClientBase } from 'pg';
import { DomainEvent, RecordedEvent } from './event.types';
import { defaultLogger, EventStoreLogger } from './logger';
import { createClient, Queryable } from './pg-connection';
import { CHECKPOINTS_TABLE, EMMETT_PARTITION } from './schema';
import { toRecordedEvent } from './stored-event.mapper';
import { EventUpcasters, NO_UPCASTERS } from './upcasters';

/**
 * Checkpointed consumers over the global log (ARCHITECTURE.md "Events").
 *
 * Order and horizon. `global_position` comes from a sequence, taken when a transaction inserts
 * its events, and transactions commit in any order: position 41 can become visible after 42.
 * A reader that remembered "42" and then asked for "> 42" would skip 41 forever. Emmett stamps
 * every event with the id of the transaction that wrote it (`transaction_id`, xid8), and reads
 * only rows whose transaction id is below `pg_snapshot_xmin(pg_current_snapshot())`: the oldest
 * transaction still running. Every transaction below that horizon has finished, so the set of
 * rows below it never grows again.
 *
 * Emmett 0.42 orders that read by (transaction_id, global_position) but resumes with
 * `global_position > checkpoint`, which still loses events: transaction A takes its id, B takes
 * a higher id but a LOWER position and commits later than A; the reader handles A (below the
 * horizon), remembers A's position, and B's lower position is then never read. So consumers here
 * remember the pair and resume with `(transaction_id, global_position) > (checkpoint pair)`:
 * every transaction that becomes visible later has an id at or above the horizon we read under,
 * hence above anything already handled. Nothing is skipped, and nothing is read twice.
 *
 * Within one stream this order is the stream's order: an append names the version it expects,
 * so it can only succeed after the previous append to that stream has committed, and it takes
 * its transaction id after that (Emmett's append function takes it first thing).
 *
 * One instance per name: a session advisory lock on a dedicated connection. That connection also
 * runs the batches, so an instance that lost its connection (and with it the lock) can no longer
 * commit anything; the instance that takes over resumes from the committed checkpoint.
 */
export interface ConsumerPosition {
  /** xid8 of the transaction that appended the last handled event, as a decimal string. */
  readonly transactionId: string;
  readonly globalPosition: bigint;
}

export const START_OF_LOG: ConsumerPosition = { transactionId: '0', globalPosition: 0n };

/** Commit order of two positions: negative when `a` comes first. */
export function compareConsumerPositions(a: ConsumerPosition, b: ConsumerPosition): number {
  const ta = BigInt(a.transactionId);
  const tb = BigInt(b.transactionId);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.globalPosition === b.globalPosition ? 0 : a.globalPosition < b.globalPosition ? -1 : 1;
}

/** A recorded event as a consumer sees it: with its commit-order position. */
export type ConsumedEvent<E extends DomainEvent = DomainEvent> = RecordedEvent<E> & { readonly position: ConsumerPosition };

export interface ConsumerOptions<E extends DomainEvent = DomainEvent> {
  /** Identifies the checkpoint and the advisory lock: one running instance per name. */
  readonly name: string;
  readonly connectionString: string;
  /** Events per transaction (default 100). Smaller batches hold the horizon for less time. */
  readonly batchSize?: number;
  /**
   * Handles one batch inside the consumer's transaction: write the read model through `tx`; the
   * checkpoint is written in the same transaction after this resolves. Throwing rolls the batch
   * back; it is retried with a growing delay. Do not commit or roll back `tx` yourself.
   */
  handle(events: ConsumedEvent<E>[], tx: ClientBase): Promise<void>;
  /** Only events of these types reach `handle`; the checkpoint still moves past the others. */
  readonly eventTypes?: readonly string[];
  readonly upcasters?: EventUpcasters;
  /** Pause after a read that found nothing (default 50 ms). */
  readonly pollIntervalMs?: number;
  /** Longest pause between retries after an error (default 5 s; starts at 100 ms). */
  readonly maxRetryDelayMs?: number;
  readonly logger?: EventStoreLogger;
}

export type ConsumerState = 'connecting' | 'waiting-for-lock' | 'running' | 'retrying' | 'stopping' | 'stopped';

export interface ConsumerStats {
  polls: number;
  batches: number;
  events: number;
  errors: number;
}

export interface Consumer {
  readonly name: string;
  readonly state: ConsumerState;
  /** The last committed checkpoint (START_OF_LOG before the lock is taken). */
  readonly position: ConsumerPosition;
  readonly stats: Readonly<ConsumerStats>;
  /**
   * Finishes the batch in hand (its transaction commits), releases the lock and closes the
   * connection. A consumer still waiting for the lock gives up waiting.
   */
  stop(): Promise<void>;
}

interface EventRow {
  xid: string;
  gp: string;
  stream_id: string;
  sp: string;
  message_id: string;
  message_type: string;
  message_data: unknown;
  message_metadata: unknown;
}

const READ_BATCH_SQL = `
SELECT transaction_id::text AS xid, global_position::text AS gp, stream_id, stream_position::text AS sp,
       message_id, message_type, message_data, message_metadata
  FROM emt_messages
 WHERE partition = '${EMMETT_PARTITION}' AND is_archived = FALSE
   AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
   AND (transaction_id, global_position) > ($1::xid8, $2::bigint)
 ORDER BY transaction_id, global_position
 LIMIT $3`;

const lockSql = `SELECT pg_advisory_lock(hashtextextended('pbx:consumer:' || $1, 0))`;

export async function readConsumerCheckpoint(db: Queryable, name: string): Promise<ConsumerPosition | undefined> {
  const r = await db.query<{ xid: string; gp: string }>(
    `SELECT transaction_id::text AS xid, global_position::text AS gp FROM ${CHECKPOINTS_TABLE} WHERE consumer_name = $1`,
    [name],
  );
  return r.rows.length === 0 ? undefined : { transactionId: r.rows[0].xid, globalPosition: BigInt(r.rows[0].gp) };
}

/**
 * Moves a consumer back to the start of the log. A rebuild calls it in the transaction that
 * empties the read model. A running consumer notices at its next batch (whose checkpoint
 * update then fails and rolls back) and replays from the start.
 */
export async function resetConsumer(db: Queryable, name: string): Promise<void> {
  await db.query(
    `INSERT INTO ${CHECKPOINTS_TABLE} (consumer_name) VALUES ($1)
     ON CONFLICT (consumer_name) DO UPDATE SET transaction_id = '0', global_position = 0, updated_at = now()`,
    [name],
  );
}

/**
 * Committed events a consumer has not handled yet (its lag, for health checks and metrics).
 * 0 means caught up with every committed event, including ones above the current horizon.
 */
export async function readConsumerBacklog(db: Queryable, name: string): Promise<number> {
  const position = (await readConsumerCheckpoint(db, name)) ?? START_OF_LOG;
  const r = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM emt_messages
      WHERE partition = '${EMMETT_PARTITION}' AND is_archived = FALSE
        AND (transaction_id, global_position) > ($1::xid8, $2::bigint)`,
    [position.transactionId, position.globalPosition.toString()],
  );
  return Number(r.rows[0].n);
}

/** Commit-order position of the newest event below the horizon (START_OF_LOG when none). */
export async function readStoreHead(db: Queryable): Promise<ConsumerPosition> {
  const r = await db.query<{ xid: string; gp: string }>(
    `SELECT transaction_id::text AS xid, global_position::text AS gp FROM emt_messages
      WHERE partition = '${EMMETT_PARTITION}' AND is_archived = FALSE
        AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  return r.rows.length === 0 ? START_OF_LOG : { transactionId: r.rows[0].xid, globalPosition: BigInt(r.rows[0].gp) };
}

/** Starts a consumer in the background; it waits for its lock if another instance holds it. */
export function startConsumer<E extends DomainEvent = DomainEvent>(options: ConsumerOptions<E>): Consumer {
  return new PostgresConsumer(options);
}

const MIN_RETRY_MS = 100;

class PostgresConsumer<E extends DomainEvent> implements Consumer {
  readonly name: string;
  state: ConsumerState = 'connecting';
  position: ConsumerPosition = START_OF_LOG;
  readonly stats: ConsumerStats = { polls: 0, batches: 0, events: 0, errors: 0 };

  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly upcasters: EventUpcasters;
  private readonly types?: ReadonlySet<string>;
  private readonly logger: EventStoreLogger;
  private stopping = false;
  private client?: Client;
  private wake?: () => void;
  private readonly done: Promise<void>;

  constructor(private readonly options: ConsumerOptions<E>) {
    this.name = options.name;
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.upcasters = options.upcasters ?? NO_UPCASTERS;
    this.types = options.eventTypes ? new Set(options.eventTypes) : undefined;
    this.logger = options.logger ?? defaultLogger();
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.state !== 'stopped') this.state = 'stopping';
    this.wake?.();
    // Blocked in pg_advisory_lock: closing the connection is the way out (nothing is held yet).
    if (this.client && !this.holdsLock) await this.client.end().catch(() => undefined);
    await this.done;
  }

  private holdsLock = false;

  private async run(): Promise<void> {
    let retryMs = MIN_RETRY_MS;
    while (!this.stopping) {
      const client = createClient(this.options.connectionString, { application_name: `pbx-consumer:${this.name}`.slice(0, 63) });
      client.on('error', (error) => this.logger.warn({ consumer: this.name, err: error }, 'consumer connection error'));
      this.client = client;
      try {
        await client.connect();
        if (this.stopping) break;
        this.state = 'waiting-for-lock';
        await client.query(lockSql, [this.name]);
        this.holdsLock = true;
        if (this.stopping) break;
        this.position = await this.loadCheckpoint(client);
        this.state = 'running';
        this.logger.info({ consumer: this.name, position: render(this.position) }, 'consumer running');
        retryMs = MIN_RETRY_MS;
        await this.loop(client);
      } catch (error) {
        if (this.stopping) break;
        this.stats.errors += 1;
        this.state = 'retrying';
        this.logger.error({ consumer: this.name, err: error }, `consumer failed; reconnecting in ${retryMs} ms`);
        await this.pause(retryMs);
        retryMs = Math.min(retryMs * 2, this.maxRetryDelayMs);
      } finally {
        this.holdsLock = false;
        this.client = undefined;
        await client.end().catch(() => undefined); // closing the session releases the advisory lock
      }
    }
    this.state = 'stopped';
  }

  private async loadCheckpoint(client: Client): Promise<ConsumerPosition> {
    await client.query(`INSERT INTO ${CHECKPOINTS_TABLE} (consumer_name) VALUES ($1) ON CONFLICT (consumer_name) DO NOTHING`, [this.name]);
    return (await readConsumerCheckpoint(client, this.name)) ?? START_OF_LOG;
  }

  private async loop(client: Client): Promise<void> {
    let retryMs = MIN_RETRY_MS;
    while (!this.stopping) {
      const { rows } = await client.query<EventRow>(READ_BATCH_SQL, [this.position.transactionId, this.position.globalPosition.toString(), this.batchSize]);
      this.stats.polls += 1;
      if (rows.length === 0) {
        await this.pause(this.pollIntervalMs);
        continue;
      }
      const events = rows.map((r) => this.toEvent(r));
      const last = events[events.length - 1].position;
      try {
        await this.commitBatch(client, events, last);
        retryMs = MIN_RETRY_MS;
      } catch (error) {
        // The batch was rolled back (or the connection is gone, and then the next query throws
        // and run() reconnects). Retry after a growing delay, from the committed checkpoint: it
        // is where we left it, unless a rebuild reset it (resetConsumer) while we were running.
        if (this.stopping) return;
        this.stats.errors += 1;
        this.logger.error({ consumer: this.name, err: error, position: render(this.position) }, `consumer batch failed; retrying in ${retryMs} ms`);
        await this.pause(retryMs);
        retryMs = Math.min(retryMs * 2, this.maxRetryDelayMs);
        this.position = await this.loadCheckpoint(client);
        continue;
      }
      // No pause after a batch, even a short one: what arrived while it was handled is read at
      // once (the relay's lag is mostly this loop's turn time). Only an empty read waits.
    }
  }

  private async commitBatch(client: Client, events: ConsumedEvent<E>[], last: ConsumerPosition): Promise<void> {
    const selected = this.types ? events.filter((e) => this.types?.has(e.type)) : events;
    // Round trips are what a batch waits on (most of all on a busy machine), so BEGIN is not
    // awaited on its own (the handler's queries queue behind it on the connection), and the
    // checkpoint and COMMIT travel together as one simple-protocol query. That needs literals:
    // the name is escaped, the positions are digits read from the database.
    const begun = client.query('BEGIN');
    begun.catch(() => undefined);
    try {
      if (selected.length > 0) await this.options.handle(selected, client);
      await begun;
      const from = this.position;
      await client.query(
        `SELECT pbx_advance_checkpoint(${client.escapeLiteral(this.name)}, '${digits(from.transactionId)}', ${digits(from.globalPosition)}, ` +
          `'${digits(last.transactionId)}', ${digits(last.globalPosition)}); COMMIT`,
      );
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    this.position = last;
    this.stats.batches += 1;
    this.stats.events += events.length;
  }

  private toEvent(r: EventRow): ConsumedEvent<E> {
    const recorded = toRecordedEvent<E>(
      {
        type: r.message_type,
        data: r.message_data,
        storedMetadata: r.message_metadata,
        eventId: r.message_id,
        streamName: r.stream_id,
        streamPosition: BigInt(r.sp),
        globalPosition: BigInt(r.gp),
      },
      this.upcasters,
    );
    return { ...recorded, position: { transactionId: r.xid, globalPosition: BigInt(r.gp) } };
  }

  /** Waits `ms`, or less when stop() is called. */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

const render = (p: ConsumerPosition): string => `${p.transactionId}/${p.globalPosition}`;

function digits(v: string | bigint): string {
  const text = v.toString();
  if (!/^\d+$/.test(text)) throw new Error(`not a position: ${text}`);
  return text;
}
