import { createHash } from 'node:crypto';
import { z } from 'zod';
import { accountSchema, canonicalJson, extensionSchema, HashedProvisioning, provisioningSchema } from '@pbx/provisioning';
import { EVENT_SUBJECT_PREFIX, streamName } from '@pbx/event-store';

/** The stream of a server's applied provisioning documents. */
export const provisioningStream = (serverId: string): string => streamName('provisioning', serverId);

/** Where the relay publishes every apply (libs/event-store nats-relay: `evt.v1.<category>.<type>`). */
export const PROVISIONING_APPLIED_SUBJECT = `${EVENT_SUBJECT_PREFIX}.provisioning.ProvisioningApplied`;

/** SHA-256 (hex) of the document's canonical JSON: equal documents, equal hashes, whatever the key order. */
export function documentHash(document: HashedProvisioning): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}

const passwordHash = z.string().min(1).max(1024);
const [phoneSchema, mobileSchema] = extensionSchema.options;

/**
 * A hashed document as it is stored and relayed: the provisioning schema with `passwordHash`
 * instead of `password`. Documents read back (from the store, from NATS) are checked against
 * it, so a service never runs on a document of the wrong shape.
 */
export const hashedProvisioningSchema: z.ZodType<HashedProvisioning, z.ZodTypeDef, unknown> = provisioningSchema.extend({
  extensions: z.array(z.discriminatedUnion('kind', [phoneSchema.omit({ password: true }).extend({ passwordHash }), mobileSchema])).default([]),
  accounts: z.array(accountSchema.omit({ password: true }).extend({ passwordHash })).default([]),
});
