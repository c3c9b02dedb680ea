import type { Uri } from '@pbx/sip';

// Numbers as they travel: from a SIP URI, to the dialplan and quota contracts, into the events.

/** The user part of a SIP URI (the dialed string or the caller's number), if any. */
export function userOf(uri: Uri): string | undefined {
  return uri.kind === 'sip' ? uri.user : undefined;
}

/**
 * A number for the quota/dialplan contracts (digits, `*`, `#`, `+`, at most 32), or undefined
 * for `anonymous`, a number too long to be one, and the like: the dialplan then presents the
 * caller as unknown instead of a truncated number.
 */
export function dialNumber(s: string): string | undefined {
  const cleaned = s.replace(/[^0-9*#+]/g, '');
  return cleaned === '' || cleaned.length > 32 ? undefined : cleaned;
}

/** A party number as the leg events hold it (at most 64 characters, SPEC H-1): every call is recorded, even one that dials nonsense. */
export function logNumber(s: string): string {
  if (s === '') return 'unknown';
  return s.length <= 64 ? s : `${s.slice(0, 63)}…`;
}
