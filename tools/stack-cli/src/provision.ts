import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createEventStore, migrateEventStore } from '@pbx/event-store';
import { formatProvisioningErrors, parseProvisioning, ProvisioningError } from '@pbx/provisioning';
import { applyProvisioning, ApplyResult, ProvisioningRejectedError } from '@pbx/provisioning-store';

export interface ProvisionTarget {
  /** The database of the running stack (or DATABASE_URL). */
  readonly databaseUrl: string;
  /** The server the stack runs (its boot file's server.id); the document's own id when unknown. */
  readonly serverId?: string;
}

type Out = (line: string) => void;

export const formatErrors = (file: string, errors: readonly ProvisioningError[]): string =>
  `${file}: rejected, ${errors.length} error(s):\n${formatProvisioningErrors(errors)}`;

/** Reads and validates a provisioning file: the document, or every error (SPEC B-3). */
export function readProvisioningText(file: string): { ok: true; document: unknown } | { ok: false; message: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, message: `${file}: cannot read: ${e instanceof Error ? e.message : String(e)}` };
  }
  const r = parseProvisioning(text);
  return r.ok ? { ok: true, document: r.provisioning } : { ok: false, message: formatErrors(file, r.errors) };
}

/** The apply's outcome for a person: what is in force now, and what changed (entity names only, never values). */
export function describeApply(file: string, r: ApplyResult): string[] {
  const hash = r.documentHash.slice(0, 12);
  if (r.status === 'unchanged') return [`${file}: unchanged — version ${r.version} of ${r.serverId} is already this document (sha256 ${hash}…)`, `  ${r.summary}`];
  const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : '(none)');
  return [
    `${file}: applied to ${r.serverId} as version ${r.version} (sha256 ${hash}…)`,
    `  ${r.summary}`,
    `  added:   ${list(r.diff.added)}`,
    `  removed: ${list(r.diff.removed)}`,
    `  changed: ${list(r.diff.changed)}`,
  ];
}

/**
 * Validates `document` and applies it as ONE ProvisioningApplied event (libs/provisioning-store);
 * the running services pick it up without restart. Throws the typed errors of applyProvisioning
 * (rejected, concurrent apply, server id change, too large).
 */
export async function applyProvisioningFile(file: string, document: unknown, target: ProvisionTarget, appliedBy: string): Promise<ApplyResult> {
  await migrateEventStore(target.databaseUrl); // idempotent; a DATABASE_URL of a fresh database works too
  const store = createEventStore({ connectionString: target.databaseUrl, poolSize: 2 });
  try {
    return await applyProvisioning(store, document, { source: resolve(file), appliedBy, ...(target.serverId !== undefined ? { serverId: target.serverId } : {}) });
  } finally {
    await store.close();
  }
}

/** `tools/stack provision FILE [--check]`: 0 applied (or valid), 1 rejected or refused. */
export async function provisionCommand(file: string, check: boolean, target: ProvisionTarget | undefined, out: Out, err: Out): Promise<number> {
  const read = readProvisioningText(file);
  if (!read.ok) {
    err(read.message);
    return 1;
  }
  if (check) {
    out(`${file}: valid`);
    return 0;
  }
  if (target === undefined) {
    err(`${file}: valid, but no stack is running (tools/stack up) and DATABASE_URL is not set: nothing to apply it to`);
    return 1;
  }
  try {
    for (const line of describeApply(file, await applyProvisioningFile(file, read.document, target, 'tools/stack provision'))) out(line);
    return 0;
  } catch (e) {
    if (e instanceof ProvisioningRejectedError) {
      err(formatErrors(file, e.errors));
      return 1;
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('PROVISIONING.')) {
      err(`${file}: not applied: ${(e as Error).message} [${code}]`);
      return 1;
    }
    throw e;
  }
}
