import type { HashedProvisioning, ProvisioningDiff } from '@pbx/provisioning';

// The applied provisioning of one server as an aggregate: stream `provisioning-<serverId>`,
// one event per applied document (SPEC B-3: a document is applied whole or not at all).

/** Apply a validated document whose secrets are already hashed. Time arrives in the command. */
export interface ApplyProvisioning {
  readonly type: 'ApplyProvisioning';
  /** The server the document is applied to (the stream's id). */
  readonly serverId: string;
  readonly document: HashedProvisioning;
  /** SHA-256 (hex) of the document's canonical JSON: equal documents have equal hashes. */
  readonly documentHash: string;
  /** Epoch milliseconds. */
  readonly now: number;
  /** Where the document came from (a file path), for the audit trail. */
  readonly source?: string;
  /** Who applied it (a login, `tools/stack`). */
  readonly appliedBy?: string;
}
export type ProvisioningCommand = ApplyProvisioning;

export interface ProvisioningAppliedData {
  readonly serverId: string;
  /** 1 for the first document of the server, then 2, 3, … (the stream position of this event). */
  readonly version: number;
  readonly documentHash: string;
  /** The hash of the document this one replaces; null for the first. */
  readonly previousHash: string | null;
  /** ISO-8601. */
  readonly appliedAt: string;
  readonly source?: string;
  readonly appliedBy?: string;
  /** "8 extensions, 2 groups, …" */
  readonly summary: string;
  /** Against the previous document, by entity name, never values (everything is added for the first). */
  readonly diff: ProvisioningDiff;
  /** The whole document, secrets hashed: no clear-text password is ever stored. */
  readonly document: HashedProvisioning;
}

/** 設定反映 — a new provisioning document is in force from this event on. */
export interface ProvisioningApplied {
  readonly type: 'ProvisioningApplied';
  readonly data: ProvisioningAppliedData;
}
export type ProvisioningEvent = ProvisioningApplied;
export const PROVISIONING_EVENT_TYPES = ['ProvisioningApplied'] as const;

export interface AppliedProvisioning {
  readonly serverId: string;
  readonly version: number;
  readonly documentHash: string;
  readonly appliedAt: string;
  readonly document: HashedProvisioning;
}

/** What is in force: nothing before the first apply. */
export interface ProvisioningState {
  readonly current?: AppliedProvisioning;
}

export type ProvisioningErrorCode = 'PROVISIONING.SERVER_ID_CHANGED' | 'PROVISIONING.INVALID_TIME';
