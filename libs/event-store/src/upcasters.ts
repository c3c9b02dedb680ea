/**
 * Upcasting (ARCHITECTURE.md "Events": old shapes are upcast on read). For each event type one
 * registers the steps n → n+1; reading an event stored at version k applies steps k, k+1, …
 * until the newest registered version. Writers append at the newest version of each type.
 */
export type UpcastStep = (data: unknown) => unknown;

export interface UpcastInput {
  readonly type: string;
  readonly data: unknown;
  readonly schemaVersion: number;
}

export interface UpcastResult {
  readonly data: unknown;
  readonly schemaVersion: number;
}

export class UpcasterRegistrationError extends Error {
  readonly code = 'EVENT_STORE.UPCASTER_REGISTRATION';
  constructor(message: string) {
    super(message);
    this.name = 'UpcasterRegistrationError';
  }
}

export class EventUpcasters {
  private readonly steps = new Map<string, UpcastStep[]>(); // index i: version i+1 → i+2

  /**
   * Registers the step from `fromVersion` to `fromVersion + 1` of `type`. Steps must be added
   * in order, starting at 1, so that every stored version has a path to the newest one.
   */
  register(type: string, fromVersion: number, step: UpcastStep): this {
    const chain = this.steps.get(type) ?? [];
    const next = chain.length + 1;
    if (!Number.isInteger(fromVersion) || fromVersion !== next) {
      throw new UpcasterRegistrationError(`upcaster for ${type}: expected the step from version ${next}, got ${fromVersion}`);
    }
    chain.push(step);
    this.steps.set(type, chain);
    return this;
  }

  /** Newest schema version of `type`: 1 when no step is registered. */
  currentVersion(type: string): number {
    return (this.steps.get(type)?.length ?? 0) + 1;
  }

  /**
   * Brings `data` from its stored version to the newest. A version newer than any registered
   * (written by a newer release) is left untouched: there is no downcasting.
   */
  upcast(event: UpcastInput): UpcastResult {
    const chain = this.steps.get(event.type);
    let { data, schemaVersion } = event;
    if (!chain) return { data, schemaVersion };
    while (schemaVersion >= 1 && schemaVersion <= chain.length) {
      data = chain[schemaVersion - 1](data);
      schemaVersion += 1;
    }
    return { data, schemaVersion };
  }
}

/** Shared empty registry for stores and consumers built without upcasters. */
export const NO_UPCASTERS = new EventUpcasters();
