import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDir, uniqueName } from '@pbx/testing';

// SIPp expands -key values in messages but not inside an <ereg regexp="…">, so a scenario that
// checks a value the test chooses (the caller a phone must be shown, the reason phrase a caller
// must hear) is a template: `__NAME__` placeholders the test fills in before SIPp reads it, as
// the harness does for `__STATUS__`.

const SIPP_DIR = join(__dirname, '../sipp');

/** `s` as an extended regexp (SIPp uses glibc's regcomp) that matches exactly `s`. */
export function ereLiteral(s: string): string {
  return s.replace(/[.[\]()*+?{}|^$\\]/g, '\\$&');
}

function xmlAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Writes `scenario` (a file of test/sipp) with every `__NAME__` replaced by `values[NAME]`
 * (values go into XML attributes and are escaped for that) and returns the new file's path.
 * A placeholder without a value, or a value without a placeholder, is a mistake in the test.
 */
export function scenarioFromTemplate(scenario: string, values: Record<string, string>): string {
  let text = readFileSync(join(SIPP_DIR, scenario), 'utf8');
  for (const [name, value] of Object.entries(values)) {
    const token = `__${name}__`;
    if (!text.includes(token)) throw new Error(`${scenario} has no placeholder ${token}`);
    text = text.split(token).join(xmlAttribute(value));
  }
  const left = /__[A-Z_]+__/.exec(text);
  if (left !== null) throw new Error(`${scenario}: no value given for ${left[0]}`);
  const file = join(testDir(), `${uniqueName(scenario.replace(/\.xml$/, ''))}.xml`);
  writeFileSync(file, text);
  return file;
}
