import { ChannelPool, ChannelPoolCommand, ChannelPoolEvent } from '@pbx/domain-channel';
import type { Decider } from '@pbx/domain-kernel';
import { EventStore, isStreamVersionConflict, streamName } from '@pbx/event-store';

/**
 * A server's pools live in a chain of short streams, `channel-pool-<serverId>_e<epoch>`
 * (category `channel-pool`, so the relay publishes `evt.v1.channel-pool.<Type>`). When a stream has grown
 * past a threshold its books are closed (ChannelPoolBooksClosed, carrying the held leases) and
 * the next epoch opens with them (ChannelPoolBooksOpened). Loading the pool reads one short
 * stream, however long the server has been running. docs/channel-quota.md.
 */
export const poolStreamName = (serverId: string, epoch: number): string => streamName('channel-pool', `${serverId}_e${epoch}`);

export interface LoadedPool {
  readonly epoch: number;
  readonly stream: string;
  readonly state: ChannelPool;
  readonly version: bigint;
}

type PoolDecider = Decider<ChannelPoolCommand, ChannelPoolEvent, ChannelPool>;

export class ChannelPoolStreams {
  constructor(
    private readonly store: EventStore,
    private readonly decider: PoolDecider,
    private readonly serverId: string,
  ) {}

  private async read(epoch: number): Promise<LoadedPool> {
    const stream = poolStreamName(this.serverId, epoch);
    const { events, version } = await this.store.readStream<ChannelPoolEvent>(stream);
    let state = this.decider.initialState();
    for (const e of events) state = this.decider.evolve(state, e);
    return { epoch, stream, state, version };
  }

  /**
   * The open epoch: the last stream that exists (epochs are opened strictly in order, so
   * "exists" is monotonic: gallop up from the hint, then bisect), opening its successor when
   * its books are closed (also when a writer died between closing and opening).
   */
  async loadCurrent(now: number, hint = 1): Promise<LoadedPool> {
    let lo = await this.read(Math.max(1, hint));
    if (lo.version === 0n && lo.epoch > 1) lo = await this.read(1); // a hint from a store that was reset
    if (lo.version > 0n) {
      let step = 1;
      let hi = await this.read(lo.epoch + step);
      while (hi.version > 0n) {
        lo = hi;
        step *= 2;
        hi = await this.read(lo.epoch + step);
      }
      while (hi.epoch - lo.epoch > 1) {
        const mid = await this.read(Math.floor((lo.epoch + hi.epoch) / 2));
        if (mid.version > 0n) lo = mid;
        else hi = mid;
      }
    }
    return lo.state.closed ? this.openAfter(lo, now) : lo;
  }

  /** Closes `current`'s books; returns the next epoch, opened with the leases held at the close. */
  async rotate(current: LoadedPool, now: number, correlationId: string): Promise<LoadedPool> {
    const close = this.decider.decide({ type: 'CloseBooks', now }, current.state);
    let closed = current;
    if (close.length > 0) {
      const r = await this.store.append(current.stream, close, { expectedVersion: current.version, metadata: { correlationId } });
      let state = current.state;
      for (const e of close) state = this.decider.evolve(state, e);
      closed = { ...current, state, version: r.nextVersion };
    }
    return this.openAfter(closed, now, correlationId);
  }

  private async openAfter(closed: LoadedPool, now: number, correlationId = `${closed.stream}:books`): Promise<LoadedPool> {
    let previous = closed;
    for (;;) {
      const next = await this.read(previous.epoch + 1);
      if (next.state.closed) {
        previous = next; // another writer opened it and closed it again: walk on
        continue;
      }
      const open = this.decider.decide({ type: 'OpenBooks', now, from: previous.stream, leases: [...previous.state.leases.values()] }, next.state);
      if (open.length === 0) return next; // another writer opened it first
      try {
        const r = await this.store.append(next.stream, open, { expectedVersion: 0n, metadata: { correlationId } });
        let state = next.state;
        for (const e of open) state = this.decider.evolve(state, e);
        return { ...next, state, version: r.nextVersion };
      } catch (e) {
        if (!isStreamVersionConflict(e)) throw e; // opened under our feet: read it again
      }
    }
  }
}
