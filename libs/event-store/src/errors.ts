/** Optimistic concurrency: the stream moved since the caller read it (`EVENT_STORE.VERSION_CONFLICT`). */
export class StreamVersionConflictError extends Error {
  readonly code = 'EVENT_STORE.VERSION_CONFLICT';
  constructor(
    readonly stream: string,
    readonly expectedVersion: bigint,
    /** The stream's version read right after the failed append (0 when it does not exist). */
    readonly actualVersion: bigint,
  ) {
    super(`stream ${stream}: expected version ${expectedVersion}, actual ${actualVersion}`);
    this.name = 'StreamVersionConflictError';
  }
}

export function isStreamVersionConflict(error: unknown): error is StreamVersionConflictError {
  return error instanceof StreamVersionConflictError;
}
