import { z } from 'zod';
import { parseDocument } from 'yaml';
import { checkRules, ProvisioningError } from './provisioning.rules';
import { Provisioning, provisioningSchema } from './provisioning.schema';

export type ProvisioningResult = { ok: true; provisioning: Provisioning } | { ok: false; errors: ProvisioningError[] };

/** Larger than any sane server file; refusing early keeps a hostile upload cheap. */
export const MAX_PROVISIONING_BYTES = 4 * 1024 * 1024;

const ROOT = '(root)';
const YAML = '(yaml)';

/**
 * Parses and validates a provisioning file (SPEC B-3): either the whole typed file, or every
 * error found, each with its path (`extensions[3].number`) and the SPEC rule it breaks.
 * Never throws, whatever the text.
 */
export function parseProvisioning(yamlText: string): ProvisioningResult {
  if (typeof yamlText !== 'string') return fail([{ path: YAML, message: 'the provisioning file must be text' }]);
  if (yamlText.length > MAX_PROVISIONING_BYTES) return fail([{ path: YAML, message: `the file is larger than ${MAX_PROVISIONING_BYTES} bytes` }]);
  let data: unknown;
  try {
    // uniqueKeys: a key written twice is an error, not "the last one wins".
    const doc = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: true });
    if (doc.errors.length > 0) {
      return fail(
        doc.errors.map((e) => {
          const at = e.linePos?.[0];
          const message = firstLine(e.message).replace(/ at line \d+, column \d+:?$/, '');
          return { path: YAML, message: at ? `line ${at.line}, column ${at.col}: ${message}` : message };
        }),
      );
    }
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // e.g. alias bombs ("Excessive alias count") are thrown by toJS, not listed in doc.errors.
    return fail([{ path: YAML, message: e instanceof Error ? firstLine(e.message) : 'unreadable YAML' }]);
  }
  return validateProvisioning(data);
}

/** Validates an already-parsed document (JSON from an API, a test fixture). Never throws. */
export function validateProvisioning(data: unknown): ProvisioningResult {
  try {
    const parsed = provisioningSchema.safeParse(data, { errorMap });
    const errors = parsed.success ? [] : parsed.error.issues.flatMap(toErrors);
    for (const e of checkRules(data)) {
      if (!errors.some((x) => x.path === e.path && x.message === e.message)) errors.push(e);
    }
    if (parsed.success && errors.length === 0) return { ok: true, provisioning: parsed.data };
    return fail(errors);
  } catch (e) {
    // A bug of ours must still come back as an error list, never a half-applied file.
    return fail([{ path: ROOT, message: `internal validation error: ${e instanceof Error ? e.message : String(e)}` }]);
  }
}

/** `['extensions', 3, 'number']` → `extensions[3].number`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? ROOT : out;
}

/** The errors of a rejected document, one `  - path: message (rule)` line each (SPEC B-3: every error listed). */
export function formatProvisioningErrors(errors: readonly ProvisioningError[]): string {
  return errors.map((e) => `  - ${e.path}: ${e.message}${e.rule ? ` (${e.rule})` : ''}`).join('\n');
}

function toErrors(issue: z.ZodIssue): ProvisioningError[] {
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    return issue.keys.map((k) => ({ path: formatPath([...issue.path, k]), message: 'unknown key here (a typo?)' }));
  }
  const rule = issue.code === z.ZodIssueCode.custom ? (issue.params?.['rule'] as string | undefined) : undefined;
  const out: ProvisioningError = { path: formatPath(issue.path), message: issue.message };
  if (rule !== undefined) out.rule = rule;
  return [out];
}

const errorMap: z.ZodErrorMap = (issue, ctx) => {
  if (issue.code === z.ZodIssueCode.invalid_type && issue.received === 'undefined') return { message: 'is required' };
  if (issue.code === z.ZodIssueCode.invalid_type && issue.received === 'null') return { message: `must not be empty (expected ${issue.expected})` };
  // Contextual maps win over per-schema messages in zod 3, so the schema's "quoted string" hint lives here.
  if (issue.code === z.ZodIssueCode.invalid_type && issue.expected === 'string') return { message: 'must be a quoted string' };
  if (issue.code === z.ZodIssueCode.invalid_type) return { message: `must be ${issue.expected}, not ${issue.received}` };
  if (issue.code === z.ZodIssueCode.invalid_union_discriminator) {
    return { message: `must be one of ${issue.options.map((o) => `"${String(o)}"`).join(', ')}` };
  }
  if (issue.code === z.ZodIssueCode.invalid_enum_value) {
    return { message: `"${String(issue.received)}" is not one of ${issue.options.map((o) => `"${String(o)}"`).join(', ')}` };
  }
  return { message: ctx.defaultError };
};

function fail(errors: ProvisioningError[]): ProvisioningResult {
  return { ok: false, errors };
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}
