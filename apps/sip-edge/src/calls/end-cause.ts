import { EndCause } from '@pbx/domain-call-leg';

// How a SIP final status maps to a leg's end cause (SPEC H-1) and which status a caller hears
// when every callee failed (RFC 3261 §16.7 step 6, simplified for a B2BUA).

export function causeOfStatus(status: number): EndCause {
  if (status === 486 || status === 600) return 'busy';
  if (status === 480 || status === 408) return 'no-answer';
  if (status === 487) return 'cancelled';
  if (status === 603 || status === 403) return 'rejected';
  return 'failed';
}

/** The status to relay to the caller once every fork failed: busy wins, then the lowest class, 4xx before 5xx. */
export function bestFailure(statuses: readonly number[]): number {
  if (statuses.length === 0) return 480;
  if (statuses.some((s) => s === 486 || s === 600)) return 486;
  const sixes = statuses.filter((s) => s >= 600);
  if (sixes.length > 0) return sixes[0];
  const ordered = [...statuses].sort((a, b) => {
    const ca = Math.floor(a / 100);
    const cb = Math.floor(b / 100);
    if (ca !== cb) return ca === 4 ? -1 : cb === 4 ? 1 : ca - cb;
    // inside 4xx prefer "temporarily unavailable" over vaguer codes
    if (a === 480) return -1;
    if (b === 480) return 1;
    return a - b;
  });
  // 408 from our own timer means nobody answered: tell the caller "unavailable"
  return ordered[0] === 408 ? 480 : ordered[0];
}
