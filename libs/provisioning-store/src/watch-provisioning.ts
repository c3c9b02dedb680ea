import type { NatsConnection } from 'nats';
import { AppliedProvisioning } from '@pbx/domain-provisioning';
import { decodeRelayedEvent, RELAY_HEADERS } from '@pbx/event-store';
import { HashedProvisioning } from '@pbx/provisioning';
import { PROVISIONING_APPLIED_SUBJECT, provisioningStream } from './provisioning-document';
import { toAppliedProvisioning } from './load-provisioning';

export interface ProvisioningWatch {
  /** Stops listening. */
  close(): void;
}

export interface WatchOptions {
  /** A message that could not be read (never thrown into NATS' callback). */
  readonly onError?: (error: Error) => void;
}

/**
 * Calls `onChange` with every document applied to `serverId` from now on, as the relay publishes
 * it (`evt.v1.provisioning.ProvisioningApplied`). A core NATS subscription: the relay's JetStream
 * publish reaches plain subscribers of the subject too, and a service only needs what is applied
 * while it runs — what was applied before it started, or while its connection was down, it
 * reads from the store (loadAppliedProvisioning; followProvisioning does both).
 * Resolves once the server has the subscription (flushed), so nothing applied after that is missed.
 */
export async function watchProvisioning(
  nats: NatsConnection,
  serverId: string,
  onChange: (document: HashedProvisioning, applied: AppliedProvisioning) => void,
  options: WatchOptions = {},
): Promise<ProvisioningWatch> {
  const stream = provisioningStream(serverId);
  const fail = (e: unknown) => options.onError?.(e instanceof Error ? e : new Error(String(e)));
  const sub = nats.subscribe(PROVISIONING_APPLIED_SUBJECT, {
    callback: (err, msg) => {
      if (err) return fail(err);
      // Other servers' documents (a NATS shared by tests or tenants) are skipped before parsing.
      const header = msg.headers?.get(RELAY_HEADERS.stream);
      if (header !== undefined && header !== '' && header !== stream) return;
      try {
        const event = decodeRelayedEvent(msg.data);
        if (event.streamName !== stream) return;
        const applied = toAppliedProvisioning(event.data, `${event.streamName}@${event.streamPosition}`);
        onChange(applied.document, applied);
      } catch (e) {
        fail(e);
      }
    },
  });
  await nats.flush();
  return { close: () => sub.unsubscribe() };
}
