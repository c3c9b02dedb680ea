/**
 * JSON with object keys sorted at every level, so two equal documents always serialise to the
 * same text whatever order their keys were built or stored in (PostgreSQL's jsonb reorders
 * keys). Arrays keep their order: in a provisioning file order is meaning (a group's ring
 * order, the first trunk). `undefined` members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
