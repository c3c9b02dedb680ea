import type { Decider } from '@pbx/domain-kernel';
import { StreamVersionConflictError } from './errors';
import { CausationMetadata, DomainEvent, RecordedEvent } from './event.types';
import { EventStore } from './event-store';

export interface HandleCommandOptions {
  readonly metadata: CausationMetadata;
  /** Attempts in all when the stream moves between read and append (default 5). */
  readonly maxAttempts?: number;
}

export interface HandleCommandResult<E extends DomainEvent, S> {
  /** What the decider decided and the store appended (empty when it stayed quiet). */
  readonly newEvents: RecordedEvent<E>[];
  /** The stream's version after the command. */
  readonly version: bigint;
  /** State after the new events. */
  readonly state: S;
  readonly attempts: number;
}

/**
 * One command against one aggregate: load the stream, fold it with `evolve`, `decide`, append
 * with the version read. When another writer got in between, the whole cycle runs again on the
 * fresh stream (bounded by `maxAttempts`; then the conflict is thrown). A DomainError from
 * `decide` is thrown as is, with nothing appended.
 */
export async function handleCommand<C, E extends DomainEvent, S>(
  store: EventStore,
  streamName: string,
  decider: Decider<C, E, S>,
  command: C,
  options: HandleCommandOptions,
): Promise<HandleCommandResult<E, S>> {
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  for (let attempt = 1; ; attempt++) {
    const { events, version } = await store.readStream<E>(streamName);
    let state = decider.initialState();
    for (const e of events) state = decider.evolve(state, e);
    const decided = decider.decide(command, state);
    if (decided.length === 0) return { newEvents: [], version, state, attempts: attempt };
    try {
      const appended = await store.append(streamName, decided, { expectedVersion: version, metadata: options.metadata });
      for (const e of decided) state = decider.evolve(state, e);
      return { newEvents: appended.events, version: appended.nextVersion, state, attempts: attempt };
    } catch (error) {
      if (!(error instanceof StreamVersionConflictError) || attempt >= maxAttempts) throw error;
    }
  }
}
