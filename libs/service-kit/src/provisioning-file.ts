import { readFileSync } from 'node:fs';
import { parseProvisioning, Provisioning } from '@pbx/provisioning';

export class ProvisioningFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: readonly { path: string; message: string }[],
  ) {
    super(`provisioning file ${file} rejected, ${errors.length} error(s):\n${errors.map((e) => `  - ${e.path}: ${e.message}`).join('\n')}`);
    this.name = 'ProvisioningFileError';
  }
}

/**
 * Reads and validates the provisioning file at boot (SPEC B-3: a bad file is rejected whole,
 * every error listed). Applying a new file to a running server comes with the provisioning issue.
 */
export function readProvisioningFile(file: string): Provisioning {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProvisioningFileError(file, [{ path: '(file)', message: e instanceof Error ? e.message : String(e) }]);
  }
  const r = parseProvisioning(text);
  if (!r.ok) throw new ProvisioningFileError(file, r.errors);
  return r.provisioning;
}
