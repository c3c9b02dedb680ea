import type { NatsConnection } from 'nats';
import { AppliedProvisioning } from '@pbx/domain-provisioning';
import { createEventStore, EventStore } from '@pbx/event-store';
import { HashedProvisioning, Provisioning } from '@pbx/provisioning';
import { documentHash } from './provisioning-document';
import { followProvisioning, ProvisioningFollower } from './follow-provisioning';
import { hashProvisioningSecrets } from './provisioning-secrets';

export interface LiveProvisioningOptions<T> {
  /** The service's PROVISIONING_FILE, read and validated at boot: it names the server, and is in force while the store holds nothing. */
  readonly fileDocument: Provisioning;
  /** When set, what the store holds wins over the file, and every later apply is followed. */
  readonly databaseUrl?: string;
  readonly nats: NatsConnection;
  /** What the service needs of a document (a lookup index, limits, a directory). A throw keeps the previous value. */
  readonly project: (document: HashedProvisioning) => T;
  /** After a newer document is in force (not called for the one at boot). */
  readonly onChange?: (value: T, applied: AppliedProvisioning) => void;
  readonly onError?: (error: Error, what: string) => void;
}

export interface LiveProvisioning<T> {
  /** The projection of the document in force. */
  readonly value: T;
  /** `file` until the store holds a document for the server (or without DATABASE_URL). */
  readonly source: 'file' | 'store';
  /** The stored version in force; undefined while on the file. */
  readonly version: number | undefined;
  readonly documentHash: string;
  /** Reads the store again now (e.g. before taking over a role that depends on the document); no-op on the file alone. */
  resync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The provisioning in force for a running service (issue #4: a new file without restart).
 * Boot: the file's document (secrets hashed here, so no clear text stays in memory), replaced by
 * what the store holds for the file's server id when DATABASE_URL is set; then every apply the
 * relay publishes (followProvisioning). Without DATABASE_URL it is the file, for good.
 */
export async function startLiveProvisioning<T>(o: LiveProvisioningOptions<T>): Promise<LiveProvisioning<T>> {
  type State = { value: T; source: 'file' | 'store'; version: number | undefined; documentHash: string };
  let state: State | undefined;
  const error = (e: unknown, what: string) => o.onError?.(e instanceof Error ? e : new Error(String(e)), what);
  const take = (applied: AppliedProvisioning): boolean => {
    let value: T;
    try {
      value = o.project(applied.document);
    } catch (e) {
      error(e, `using provisioning version ${applied.version}; keeping the one in force`);
      return false;
    }
    state = { value, source: 'store', version: applied.version, documentHash: applied.documentHash };
    return true;
  };

  let store: EventStore | undefined;
  let follower: ProvisioningFollower | undefined;
  if (o.databaseUrl !== undefined) {
    store = createEventStore({ connectionString: o.databaseUrl, poolSize: 2 });
    try {
      follower = await followProvisioning({
        store,
        nats: o.nats,
        serverId: o.fileDocument.server.id,
        onChange: (applied) => {
          if (take(applied) && state !== undefined) o.onChange?.(state.value, applied);
        },
        onError: error,
      });
    } catch (e) {
      await store.close();
      const why = e instanceof Error ? e.message : String(e);
      throw new Error(`reading the stored provisioning of ${o.fileDocument.server.id} (DATABASE_URL) failed: ${why} — is the event store migrated (tools/stack does it)?`, { cause: e });
    }
    if (follower.current !== undefined) take(follower.current);
  }
  if (state === undefined) {
    // Nothing stored (or no database): the file, hashed like an apply would (scrypt costs time,
    // hence only here). An apply arriving meanwhile is newer than the file and wins.
    try {
      const fromFile = await hashProvisioningSecrets(o.fileDocument);
      const value = o.project(fromFile);
      state ??= { value, source: 'file', version: undefined, documentHash: documentHash(fromFile) };
    } catch (e) {
      follower?.close();
      await store?.close();
      throw e;
    }
  }
  const now = (): State => state as State;

  return {
    get value() {
      return now().value;
    },
    get source() {
      return now().source;
    },
    get version() {
      return now().version;
    },
    get documentHash() {
      return now().documentHash;
    },
    async resync() {
      await follower?.resync();
    },
    async close() {
      follower?.close();
      await store?.close();
    },
  };
}
