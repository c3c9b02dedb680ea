import { Decider, DomainError } from '@pbx/domain-kernel';
import { diffProvisioning, summarizeProvisioning } from '@pbx/provisioning';
import type { ApplyProvisioning, ProvisioningCommand, ProvisioningErrorCode, ProvisioningEvent, ProvisioningState } from './provisioning.types';

function refuse(code: ProvisioningErrorCode, message: string, details: Record<string, unknown>): DomainError {
  return new DomainError(code, message, details);
}

function apply(cmd: ApplyProvisioning, s: ProvisioningState): ProvisioningEvent[] {
  if (!Number.isSafeInteger(cmd.now) || cmd.now < 0) throw refuse('PROVISIONING.INVALID_TIME', `now must be epoch milliseconds, got ${cmd.now}`, { now: cmd.now });
  const fileId = cmd.document.server.id;
  // A server's id names it to its federation peers (SPEC F-2, §4) and names its streams: a file
  // for another id is the wrong file (or a rename, which is a new server), never an update.
  if (fileId !== cmd.serverId) {
    throw refuse('PROVISIONING.SERVER_ID_CHANGED', `this server is "${cmd.serverId}" but the document is for "${fileId}": server.id cannot change`, {
      serverId: cmd.serverId,
      documentServerId: fileId,
    });
  }
  const current = s.current;
  if (current !== undefined && current.serverId !== cmd.serverId) {
    throw refuse('PROVISIONING.SERVER_ID_CHANGED', `the stream holds server "${current.serverId}", not "${cmd.serverId}"`, { serverId: cmd.serverId, storedServerId: current.serverId });
  }
  // The same document again (a restart of the stack applies its file every time): stay quiet.
  if (current !== undefined && current.documentHash === cmd.documentHash) return [];
  return [
    {
      type: 'ProvisioningApplied',
      data: {
        serverId: cmd.serverId,
        version: (current?.version ?? 0) + 1,
        documentHash: cmd.documentHash,
        previousHash: current?.documentHash ?? null,
        appliedAt: new Date(cmd.now).toISOString(),
        ...(cmd.source !== undefined ? { source: cmd.source } : {}),
        ...(cmd.appliedBy !== undefined ? { appliedBy: cmd.appliedBy } : {}),
        summary: summarizeProvisioning(cmd.document),
        diff: diffProvisioning(current?.document, cmd.document),
        document: cmd.document,
      },
    },
  ];
}

function evolve(_s: ProvisioningState, e: ProvisioningEvent): ProvisioningState {
  const { serverId, version, documentHash, appliedAt, document } = e.data;
  return { current: { serverId, version, documentHash, appliedAt, document } };
}

/**
 * The provisioning in force on one server (SPEC B-3): each apply is one event holding the whole
 * hashed document, so what is in force is always one complete document — never half of one.
 */
export const provisioningDecider: Decider<ProvisioningCommand, ProvisioningEvent, ProvisioningState> = {
  initialState: () => ({}),
  evolve,
  decide: (cmd, s) => apply(cmd, s),
};
