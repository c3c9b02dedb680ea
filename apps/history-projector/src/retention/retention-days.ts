import { createEventStore } from '@pbx/event-store';
import { loadAppliedProvisioning } from '@pbx/provisioning-store';
import { readProvisioningFile } from '@pbx/service-kit';
import { DEFAULT_RETENTION_DAYS } from '../config';

/** What retention takes from a provisioning document: the server's `historyRetentionDays` (SPEC K-5). */
export const retentionDaysOf = (p: { readonly server: { readonly historyRetentionDays: number } }): number => p.server.historyRetentionDays;

export interface RetentionDaysSource {
  readonly provisioningFile?: string;
  readonly databaseUrl: string;
  readonly envDays?: number;
}

export interface RetentionDaysInForce {
  readonly days: number;
  /** `store` (version N), `file`, or `HISTORY_RETENTION_DAYS`. */
  readonly source: string;
}

/**
 * The retention in force, read once (the rebuild script; the service follows it live with
 * RetentionDays): the same rule as the service — with a provisioning file, the stored
 * document of its server, else the file; without one, HISTORY_RETENTION_DAYS (400 when unset).
 */
export async function readRetentionDays(o: RetentionDaysSource): Promise<RetentionDaysInForce> {
  if (o.provisioningFile === undefined) return { days: o.envDays ?? DEFAULT_RETENTION_DAYS, source: 'HISTORY_RETENTION_DAYS' };
  const file = readProvisioningFile(o.provisioningFile);
  const store = createEventStore({ connectionString: o.databaseUrl, poolSize: 1 });
  try {
    const stored = await loadAppliedProvisioning(store, file.server.id);
    return stored === undefined ? { days: retentionDaysOf(file), source: 'file' } : { days: retentionDaysOf(stored.document), source: `store (version ${stored.version})` };
  } finally {
    await store.close();
  }
}
