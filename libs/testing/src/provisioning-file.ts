import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDir, uniqueName } from './fixtures';

/** A unique server id for one test (server ids take dashes, not uniqueName's underscore). */
export const testServerId = (prefix: string): string => uniqueName(prefix).replace(/_/g, '-');

/**
 * Writes a provisioning file for `serverId` into the run's temp folder and returns its path:
 * YAML lines as given, or a document object written as JSON (JSON is YAML).
 */
export function writeTestProvisioning(serverId: string, content: readonly string[] | object): string {
  const file = join(testDir(), `${serverId}.provisioning.yaml`);
  writeFileSync(file, Array.isArray(content) ? content.join('\n') : JSON.stringify(content));
  return file;
}
