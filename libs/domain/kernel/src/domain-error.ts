/**
 * A rule of the domain said no. `code` is `AREA.REASON` (STYLE.md) and is mapped to a SIP
 * status, an HTTP status or a NATS error reply in one place per transport.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message?: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message ?? code);
    this.name = 'DomainError';
  }
}

/** Exhaustiveness check for discriminated unions: a new case that is not handled fails to compile. */
export function assertNever(value: never, what = 'value'): never {
  throw new DomainError('DOMAIN.UNHANDLED', `unhandled ${what}: ${JSON.stringify(value)}`);
}
