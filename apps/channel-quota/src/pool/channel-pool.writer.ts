import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ChannelLimits, ChannelPool, ChannelPoolCommand, ChannelPoolEvent, channelPoolDecider, Lease } from '@pbx/domain-channel';
import { Decider, DomainError } from '@pbx/domain-kernel';
import { CHANNEL_QUOTA_ERRORS, TRANSPORT_ERRORS } from '@pbx/contracts';
import { EventStore, isStreamVersionConflict } from '@pbx/event-store';
import { ChannelPoolStreams, LoadedPool } from './channel-pool.streams';
import { Clock, CommandOutcome, PoolView, poolsUsage } from './channel-pool.port';
import { WriterObserver } from './pool.metrics';

export interface PoolWriterOptions {
  readonly store: EventStore;
  readonly decider: Decider<ChannelPoolCommand, ChannelPoolEvent, ChannelPool>;
  readonly limits: ChannelLimits;
  readonly serverId: string;
  readonly booksEvents: number;
  readonly maxBatch: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The epoch the previous writer of this process saw (speeds up finding the open stream). */
  readonly epochHint?: number;
  readonly observer?: WriterObserver;
}

interface Pending {
  readonly command: ChannelPoolCommand;
  readonly correlationId: string;
  readonly resolve: (outcome: CommandOutcome) => void;
}

/** Attempts per batch when the stream moved under us (only when another instance wrote: a takeover race). */
const MAX_ATTEMPTS = 5;

export const NOT_WRITER = 'QUOTA.NOT_WRITER';

const legOf = (c: ChannelPoolCommand): string | undefined => ('legId' in c ? c.legId : undefined);

/**
 * The pool's single writer (one per server, in the instance that holds the pool lock). It keeps
 * the pool in memory and runs commands strictly one batch at a time: every command of a batch is
 * decided against the state the previous one left, the batch's events are appended in ONE append
 * with the version they were decided on (group commit), and only then are the callers answered
 * and the new state kept. So a grant is never answered before it is stored, and the stream's
 * expected version makes a stale writer (one that lost the lock without noticing) fail instead of
 * oversubscribing: it reloads and decides again.
 */
export class ChannelPoolWriter {
  private readonly streams: ChannelPoolStreams;
  private readonly log: Logger;
  private current?: LoadedPool;
  private readonly queue: Pending[] = [];
  private draining = false;
  private closing = false;
  private drained: Promise<void> = Promise.resolve();
  readonly stats = { batches: 0, commands: 0, appends: 0, conflicts: 0, rotations: 0, maxBatch: 0 };
  private limits: ChannelLimits;
  private decider: Decider<ChannelPoolCommand, ChannelPoolEvent, ChannelPool>;

  constructor(private readonly o: PoolWriterOptions) {
    this.limits = o.limits;
    this.decider = o.decider;
    this.streams = new ChannelPoolStreams(o.store, o.decider, o.serverId);
    this.log = o.logger.child({ component: 'pool-writer' });
  }

  /**
   * New limits from a new provisioning (SPEC Q-1). Batches are decided synchronously, so the
   * next batch is decided wholly on the new limits and none on a mix; a batch already waiting
   * for its append was decided on the old ones and stands. Held leases are untouched: over a
   * lowered limit, reserves are refused (QUOTA.EXCEEDED) until releases bring usage under it.
   */
  changeLimits(limits: ChannelLimits): void {
    this.limits = limits;
    this.decider = channelPoolDecider(limits);
  }

  get epoch(): number | undefined {
    return this.current?.epoch;
  }

  get state(): ChannelPool | undefined {
    return this.current?.state;
  }

  async open(): Promise<void> {
    this.current = await this.streams.loadCurrent(this.o.clock(), this.o.epochHint);
    this.log.info({ stream: this.current.stream, version: String(this.current.version), held: this.current.state.held }, 'pool loaded');
    this.kick();
  }

  submit(command: ChannelPoolCommand, correlationId: string): Promise<CommandOutcome> {
    if (this.closing) return Promise.resolve(notWriter());
    return new Promise((resolve) => {
      this.queue.push({ command, correlationId, resolve });
      this.kick();
    });
  }

  view(): PoolView {
    const state = this.loaded().state;
    return { leases: [...state.leases.values()], pools: poolsUsage(state, this.limits) };
  }

  /** Stops taking commands, lets the batch in hand finish, answers the rest "not the writer". */
  async close(): Promise<void> {
    this.closing = true;
    await this.drained;
    for (const p of this.queue.splice(0)) p.resolve(notWriter());
  }

  private loaded(): LoadedPool {
    if (!this.current) throw new DomainError(NOT_WRITER, 'the pool is not loaded yet');
    return this.current;
  }

  private kick(): void {
    if (this.draining || !this.current || this.queue.length === 0) return;
    this.draining = true;
    this.drained = this.drain().finally(() => {
      this.draining = false;
      if (!this.closing) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closing) {
      const batch = this.queue.splice(0, this.o.maxBatch);
      this.stats.batches++;
      this.stats.commands += batch.length;
      this.stats.maxBatch = Math.max(this.stats.maxBatch, batch.length);
      await this.run(batch);
      const cur = this.current;
      if (cur && cur.version >= BigInt(this.o.booksEvents)) await this.rotate(cur);
    }
  }

  private async rotate(cur: LoadedPool): Promise<void> {
    try {
      this.current = await this.streams.rotate(cur, this.o.clock(), `${cur.stream}:books`);
      this.stats.rotations++;
      this.o.observer?.booksClosed();
      this.log.info({ closed: cur.stream, opened: this.current.stream, carried: this.current.state.leases.size }, 'pool books closed');
    } catch (e) {
      // The pool stays usable in the old stream; the next batch tries again (or reloads on a conflict).
      this.log.warn({ err: e, stream: cur.stream }, 'closing the pool books failed');
      if (isStreamVersionConflict(e)) await this.reload();
    }
  }

  private async reload(): Promise<boolean> {
    try {
      this.current = await this.streams.loadCurrent(this.o.clock(), this.current?.epoch);
      return true;
    } catch (e) {
      this.log.error({ err: e }, 'reloading the pool failed');
      return false;
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const cur = this.loaded();
      const { state, events, outcomes } = this.decideAll(cur.state, batch);
      if (events.length === 0) return settle(batch, outcomes);
      try {
        const started = process.hrtime.bigint();
        const r = await this.o.store.append(cur.stream, events, { expectedVersion: cur.version, metadata: { correlationId: batchCorrelation(batch) } });
        this.stats.appends++;
        this.current = { ...cur, state, version: r.nextVersion };
        this.o.observer?.stored(batch.length, Number(process.hrtime.bigint() - started) / 1e9, events, state);
        return settle(batch, outcomes);
      } catch (e) {
        if (isStreamVersionConflict(e) && attempt < MAX_ATTEMPTS) {
          // Another instance wrote (it held the lock while we had lost it without noticing, or
          // the reverse). Decide the whole batch again on what is stored.
          this.stats.conflicts++;
          this.o.observer?.conflict();
          this.log.warn({ stream: cur.stream, attempt }, 'pool stream moved under the writer: reloading');
          if (await this.reload()) continue;
        }
        // Unknown outcome (the append may have committed): the callers hear "unavailable" and may
        // retry (a reserve retry is idempotent); the next append finds out which it was.
        if (!isStreamVersionConflict(e)) this.log.error({ err: e, stream: cur.stream }, 'pool append failed');
        await this.reload();
        const error = { code: CHANNEL_QUOTA_ERRORS.unavailable, message: 'the channel pool could not be stored; try again' };
        return settle(batch, batch.map(() => ({ ok: false, error })));
      }
    }
  }

  private decideAll(start: ChannelPool, batch: readonly Pending[]): { state: ChannelPool; events: ChannelPoolEvent[]; outcomes: CommandOutcome[] } {
    const { decider, limits } = this;
    let state = start;
    const events: ChannelPoolEvent[] = [];
    const outcomes = batch.map(({ command }): CommandOutcome => {
      const leg = legOf(command);
      const before = leg === undefined ? null : (state.leases.get(leg) ?? null);
      try {
        const decided = decider.decide(command, state);
        for (const e of decided) state = decider.evolve(state, e);
        events.push(...decided);
        const after: Lease | null = leg === undefined ? null : (state.leases.get(leg) ?? null);
        return { ok: true, emitted: decided.map((e) => e.type), before, after, pools: poolsUsage(state, limits) };
      } catch (e) {
        if (e instanceof DomainError) {
          this.o.observer?.refused(e.code);
          return { ok: false, error: { code: e.code, message: e.message, ...(e.details ? { details: { ...e.details } } : {}) } };
        }
        this.log.error({ err: e, command: command.type }, 'pool decider failed');
        return { ok: false, error: { code: TRANSPORT_ERRORS.internal, message: 'internal error' } };
      }
    });
    return { state, events, outcomes };
  }
}

function settle(batch: readonly Pending[], outcomes: readonly CommandOutcome[]): void {
  batch.forEach((p, i) => p.resolve(outcomes[i]));
}

function notWriter(): CommandOutcome {
  return { ok: false, error: { code: NOT_WRITER, message: 'this instance does not hold the channel pool' } };
}

/**
 * One append carries one metadata. A batch of one call's commands keeps that call's correlation
 * id; a batch that mixes calls gets its own id (each event names its call in data.requestId).
 */
function batchCorrelation(batch: readonly Pending[]): string {
  const first = batch[0].correlationId;
  return batch.every((p) => p.correlationId === first) ? first : `channel-pool-batch:${randomUUID()}`;
}
