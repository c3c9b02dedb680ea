import { formatProvisioningErrors, type ProvisioningError } from '@pbx/provisioning';

/** SPEC B-3: the document was rejected whole; every error is listed with its path. Nothing was applied. */
export class ProvisioningRejectedError extends Error {
  readonly code = 'PROVISIONING.INVALID';
  constructor(readonly errors: readonly ProvisioningError[]) {
    super(`provisioning rejected, ${errors.length} error(s):\n${formatProvisioningErrors(errors)}`);
    this.name = 'ProvisioningRejectedError';
  }
}

/** Another apply got in first (optimistic concurrency): nothing was applied; look at what is in force and apply again. */
export class ProvisioningConflictError extends Error {
  readonly code = 'PROVISIONING.CONCURRENT_APPLY';
  constructor(
    readonly serverId: string,
    readonly expectedVersion: bigint,
    readonly actualVersion: bigint,
  ) {
    super(
      `provisioning of ${serverId} moved while applying (expected version ${expectedVersion}, found ${actualVersion}): another apply got in first; nothing was applied — review what is in force and apply again`,
    );
    this.name = 'ProvisioningConflictError';
  }
}

/** The event would not fit a NATS message (the relay publishes it whole). Nothing was applied. */
export class ProvisioningTooLargeError extends Error {
  readonly code = 'PROVISIONING.TOO_LARGE';
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`the hashed provisioning document is ${bytes} bytes; an apply event holds at most ${limit} (NATS max_payload): raise both, or split the server`);
    this.name = 'ProvisioningTooLargeError';
  }
}
