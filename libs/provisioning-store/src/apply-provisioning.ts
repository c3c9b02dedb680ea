import { ApplyProvisioning, ProvisioningApplied, provisioningDecider } from '@pbx/domain-provisioning';
import { foldEvents } from '@pbx/domain-kernel';
import { EventStore, isStreamVersionConflict, StreamVersionConflictError } from '@pbx/event-store';
import { canonicalJson, ProvisioningDiff, summarizeProvisioning, validateProvisioning } from '@pbx/provisioning';
import type { ScryptCost } from '@pbx/service-kit';
import { documentHash, provisioningStream } from './provisioning-document';
import { ProvisioningConflictError, ProvisioningRejectedError, ProvisioningTooLargeError } from './provisioning-errors';
import { hashProvisioningSecrets } from './provisioning-secrets';

/**
 * NATS refuses messages over its max_payload (1 MiB by default) and the relay publishes an
 * event whole, so one larger event would stall the relay for every service. Leaves room for
 * the relay's envelope. docs/provisioning.md.
 */
export const DEFAULT_MAX_EVENT_BYTES = 1_000_000;

export interface ApplyMeta {
  /** Correlation id of the apply (default: `provisioning:<serverId>:<time>`). */
  readonly correlationId?: string;
  /** Where the document came from (a file path), recorded in the event. */
  readonly source?: string;
  /** Who applied it, recorded in the event. */
  readonly appliedBy?: string;
  /**
   * The server being provisioned (default: the document's `server.id`). A document naming
   * another id is refused (PROVISIONING.SERVER_ID_CHANGED).
   */
  readonly serverId?: string;
  /**
   * The version the caller reviewed (from loadAppliedProvisioning): the apply fails with
   * ProvisioningConflictError if another one got in since. Default: the version read here.
   */
  readonly expectedVersion?: bigint | number;
  /** Epoch ms; injected in tests. */
  readonly clock?: () => number;
  readonly accountCost?: ScryptCost;
  readonly maxEventBytes?: number;
}

export interface ApplyResult {
  /** `unchanged`: the document in force is the same one; nothing was appended. */
  readonly status: 'applied' | 'unchanged';
  readonly serverId: string;
  /** The version in force after the call. */
  readonly version: number;
  readonly documentHash: string;
  readonly previousHash: string | null;
  readonly summary: string;
  readonly diff: ProvisioningDiff;
}

/**
 * Applies a provisioning document to a server (SPEC B-3, issue #4):
 *  1. validates it (schema + every SPEC rule; `document` is parsed data — a Provisioning, or
 *     JSON from an API); an invalid one throws ProvisioningRejectedError listing every error;
 *  2. hashes every password (hashProvisioningSecrets), reusing account hashes that still match;
 *  3. decides (libs/domain/provisioning) and appends ONE `ProvisioningApplied` event to
 *     `provisioning-<serverId>` with the version read: one append is one transaction, so the
 *     document is in force whole or not at all, and a concurrent apply fails
 *     (ProvisioningConflictError) instead of silently overwriting.
 * Services pick the event up through the relay (watchProvisioning / followProvisioning).
 */
export async function applyProvisioning(store: EventStore, document: unknown, meta: ApplyMeta = {}): Promise<ApplyResult> {
  const checked = validateProvisioning(document);
  if (!checked.ok) throw new ProvisioningRejectedError(checked.errors);
  const p = checked.provisioning;
  const serverId = meta.serverId ?? p.server.id;
  const stream = provisioningStream(serverId);
  const clock = meta.clock ?? Date.now;

  const { events, version } = await store.readStream<ProvisioningApplied>(stream);
  const state = foldEvents(provisioningDecider, events);
  const expected = meta.expectedVersion === undefined ? version : BigInt(meta.expectedVersion);
  if (expected !== version) throw new ProvisioningConflictError(serverId, expected, version);

  const hashed = await hashProvisioningSecrets(p, { previous: state.current?.document, accountCost: meta.accountCost });
  const now = clock();
  const command: ApplyProvisioning = {
    type: 'ApplyProvisioning',
    serverId,
    document: hashed,
    documentHash: documentHash(hashed),
    now,
    ...(meta.source !== undefined ? { source: meta.source } : {}),
    ...(meta.appliedBy !== undefined ? { appliedBy: meta.appliedBy } : {}),
  };
  const decided = provisioningDecider.decide(command, state); // DomainError (e.g. SERVER_ID_CHANGED) as is
  const current = state.current;
  if (decided.length === 0 && current !== undefined) {
    const nothing = { added: [], removed: [], changed: [] };
    return { status: 'unchanged', serverId, version: current.version, documentHash: current.documentHash, previousHash: current.documentHash, summary: summarizeProvisioning(hashed), diff: nothing };
  }
  const [event] = decided;
  if (event === undefined) throw new Error(`provisioning of ${serverId}: the decider stayed quiet with no document in force`);
  const limit = meta.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const bytes = Buffer.byteLength(canonicalJson(event.data));
  if (bytes > limit) throw new ProvisioningTooLargeError(bytes, limit);

  try {
    await store.append(stream, decided, { expectedVersion: version, metadata: { correlationId: meta.correlationId ?? `provisioning:${serverId}:${new Date(now).toISOString()}` } });
  } catch (e) {
    if (isStreamVersionConflict(e)) throw new ProvisioningConflictError(serverId, version, (e as StreamVersionConflictError).actualVersion);
    throw e;
  }
  const { version: v, documentHash: hash, previousHash, summary, diff } = event.data;
  return { status: 'applied', serverId, version: v, documentHash: hash, previousHash, summary, diff };
}
