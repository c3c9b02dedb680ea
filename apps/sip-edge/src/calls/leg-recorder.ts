import { callLegDecider, CallLeg, LegCommand, LegEvent, legStreamName } from '@pbx/domain-call-leg';
import { EventStore, handleCommand } from '@pbx/event-store';

// Each leg's life goes to its own stream `leg-<id>` (SPEC H-1). The recorder keeps the state
// and version of the legs it owns in memory, so an append costs one round trip, and it orders
// the appends of one leg (a leg's commands are decided against the state the previous one left).
// A command the decider refuses (e.g. a late 180 after the leg ended) is reported, not thrown:
// the SIP side must go on.

interface LegBook {
  state: CallLeg;
  version: bigint;
  requestId: string;
  tail: Promise<void>;
}

export interface LegRecorderHooks {
  onRefused?(legId: string, command: LegCommand['type'], reason: string): void;
  onAppendError?(legId: string, error: Error): void;
}

export class LegRecorder {
  private readonly legs = new Map<string, LegBook>();

  constructor(
    private readonly store: EventStore,
    private readonly hooks: LegRecorderHooks = {},
  ) {}

  /** Decides and appends; resolves once the events are committed (or refused). */
  record(command: LegCommand, requestId?: string): Promise<LegEvent[]> {
    let book = this.legs.get(command.legId);
    if (book === undefined) {
      if (command.type !== 'CreateLeg') {
        this.hooks.onRefused?.(command.legId, command.type, 'unknown leg');
        return Promise.resolve([]);
      }
      book = { state: callLegDecider.initialState(), version: 0n, requestId: requestId ?? command.requestId, tail: Promise.resolve() };
      this.legs.set(command.legId, book);
    }
    const b = book;
    const run = b.tail.then(() => this.apply(b, command));
    b.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * A command for a leg this instance does not hold in memory (a call taken over from a dead
   * instance): read its stream, decide, append with the version read (retried on a conflict).
   */
  async recordForeign(command: LegCommand, requestId: string): Promise<LegEvent[]> {
    try {
      const r = await handleCommand(this.store, legStreamName(command.legId), callLegDecider, command, { metadata: { correlationId: requestId } });
      return r.newEvents.map((e) => ({ type: e.type, data: e.data }) as LegEvent);
    } catch (e) {
      this.hooks.onRefused?.(command.legId, command.type, (e as Error).message);
      return [];
    }
  }

  /** Forgets an ended leg once its last append is done. */
  async forget(legId: string): Promise<void> {
    const b = this.legs.get(legId);
    if (b === undefined) return;
    await b.tail;
    if (b.state.status === 'ended') this.legs.delete(legId);
  }

  private async apply(b: LegBook, command: LegCommand): Promise<LegEvent[]> {
    let events: LegEvent[];
    try {
      events = callLegDecider.decide(command, b.state);
    } catch (e) {
      this.hooks.onRefused?.(command.legId, command.type, (e as Error).message);
      return [];
    }
    if (events.length === 0) return [];
    try {
      const r = await this.store.append(legStreamName(command.legId), events, { expectedVersion: b.version, metadata: { correlationId: b.requestId } });
      b.version = r.nextVersion;
      for (const e of events) b.state = callLegDecider.evolve(b.state, e);
      return events;
    } catch (e) {
      this.hooks.onAppendError?.(command.legId, e as Error);
      throw e;
    }
  }
}
