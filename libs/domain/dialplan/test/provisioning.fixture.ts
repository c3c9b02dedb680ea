import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProvisioning, Provisioning } from '@pbx/provisioning';

/** The table tests' server (test/fixtures/dialplan.provisioning.yaml), through the real loader. */
export function loadDialplanFixture(): Provisioning {
  const r = parseProvisioning(readFileSync(join(__dirname, 'fixtures/dialplan.provisioning.yaml'), 'utf8'));
  if (!r.ok) throw new Error(`dialplan fixture is invalid:\n${JSON.stringify(r.errors, null, 2)}`);
  return r.provisioning;
}
