import { z } from 'zod';
import { AppliedProvisioning, ProvisioningApplied, provisioningDecider } from '@pbx/domain-provisioning';
import { foldEvents } from '@pbx/domain-kernel';
import { EventStore } from '@pbx/event-store';
import { HashedProvisioning } from '@pbx/provisioning';
import { hashedProvisioningSchema, provisioningStream } from './provisioning-document';

/** The fields of a ProvisioningApplied a reader needs, checked (unknown extra fields pass: newer writers). */
const appliedSchema = z.object({
  serverId: z.string().min(1),
  version: z.number().int().positive(),
  documentHash: z.string().regex(/^[0-9a-f]{64}$/),
  appliedAt: z.string(),
  document: hashedProvisioningSchema,
});

export class InvalidProvisioningEventError extends Error {
  readonly code = 'PROVISIONING.INVALID_EVENT';
  constructor(where: string, detail: string) {
    super(`unreadable ProvisioningApplied (${where}): ${detail}`);
    this.name = 'InvalidProvisioningEventError';
  }
}

/** Checks the data of a ProvisioningApplied (from the store or from NATS) into what is in force. */
export function toAppliedProvisioning(data: unknown, where: string): AppliedProvisioning {
  const r = appliedSchema.safeParse(data);
  if (!r.success) throw new InvalidProvisioningEventError(where, r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return r.data;
}

/** What is in force on `serverId` — document, version, hash — or undefined before the first apply. */
export async function loadAppliedProvisioning(store: EventStore, serverId: string): Promise<AppliedProvisioning | undefined> {
  const stream = provisioningStream(serverId);
  const { events } = await store.readStream<ProvisioningApplied>(stream);
  const current = foldEvents(provisioningDecider, events).current;
  return current === undefined ? undefined : toAppliedProvisioning(current, stream);
}

/** The latest applied document of `serverId` (secrets hashed), or undefined before the first apply. */
export async function loadCurrentProvisioning(store: EventStore, serverId: string): Promise<HashedProvisioning | undefined> {
  return (await loadAppliedProvisioning(store, serverId))?.document;
}
