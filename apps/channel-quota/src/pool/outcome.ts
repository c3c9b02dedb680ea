import { DomainError } from '@pbx/domain-kernel';
import type { Lease } from '@pbx/domain-channel';
import type { LegUsage } from '@pbx/contracts';
import type { CommandOutcome } from './channel-pool.port';

/** A refused command becomes the typed error it was refused with (mapped to the wire once, by the kit). */
export function unwrap(outcome: CommandOutcome): Extract<CommandOutcome, { ok: true }> {
  if (!outcome.ok) throw new DomainError(outcome.error.code, outcome.error.message, outcome.error.details);
  return outcome;
}

/** A lease as the usage view shows it (SPEC Q-6). */
export function legUsage(l: Lease): LegUsage {
  return {
    legId: l.legId,
    pool: l.pool,
    callId: l.callId,
    ...(l.requestId !== undefined ? { requestId: l.requestId } : {}),
    direction: l.direction,
    farEnd: l.farEnd,
    ...(l.localParty !== undefined ? { localParty: l.localParty } : {}),
    since: l.since,
    renewedAt: l.renewedAt,
    expiresAt: l.expiresAt,
  };
}
