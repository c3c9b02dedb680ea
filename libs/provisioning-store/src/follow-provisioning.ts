import type { NatsConnection } from 'nats';
import { AppliedProvisioning } from '@pbx/domain-provisioning';
import { EventStore } from '@pbx/event-store';
import { loadAppliedProvisioning } from './load-provisioning';
import { ProvisioningWatch, watchProvisioning } from './watch-provisioning';

export interface FollowProvisioningOptions {
  readonly store: EventStore;
  readonly nats: NatsConnection;
  readonly serverId: string;
  /** Called with each newer document once the follower has started (not for the one loaded at start). */
  readonly onChange: (applied: AppliedProvisioning) => void;
  /** Unreadable messages, failed reloads: the follower keeps the document it has. */
  readonly onError?: (error: Error, what: string) => void;
}

export interface ProvisioningFollower {
  /** What is in force as far as this process knows; undefined while nothing was ever applied. */
  readonly current: AppliedProvisioning | undefined;
  /** Reads the store again (done by itself after every NATS reconnect). */
  resync(): Promise<void>;
  close(): void;
}

/**
 * Keeps a service on the provisioning in force without restart (issue #4): subscribes first,
 * then loads what the store holds, so an apply landing in between is seen by one or the other;
 * then follows every apply the relay publishes, and reloads from the store after a NATS
 * reconnect (messages published while disconnected are not replayed to core subscribers).
 * Versions only move forward: a late or repeated message never rolls a document back.
 */
export async function followProvisioning(o: FollowProvisioningOptions): Promise<ProvisioningFollower> {
  let current: AppliedProvisioning | undefined;
  let started = false;
  let closed = false;
  const offer = (applied: AppliedProvisioning | undefined): void => {
    if (closed || applied === undefined || (current !== undefined && applied.version <= current.version)) return;
    current = applied;
    if (started) o.onChange(applied);
  };
  const error = (what: string) => (e: unknown) => o.onError?.(e instanceof Error ? e : new Error(String(e)), what);

  const watch: ProvisioningWatch = await watchProvisioning(o.nats, o.serverId, (_doc, applied) => offer(applied), { onError: error('reading a relayed ProvisioningApplied') });
  try {
    offer(await loadAppliedProvisioning(o.store, o.serverId));
  } catch (e) {
    watch.close();
    throw e;
  }
  started = true;

  const resync = async (): Promise<void> => offer(await loadAppliedProvisioning(o.store, o.serverId));
  void (async () => {
    for await (const s of o.nats.status()) {
      if (closed) return;
      if (s.type === 'reconnect') await resync().catch(error('reloading the provisioning after a NATS reconnect'));
    }
  })();

  return {
    get current() {
      return current;
    },
    resync,
    close() {
      closed = true;
      watch.close();
    },
  };
}
