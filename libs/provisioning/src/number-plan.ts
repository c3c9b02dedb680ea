// Numbering-plan facts shared by provisioning (which rejects bad numbers) and the dialplan
// decider (which routes them). One place, so the two can never disagree.

/** SPEC N-1: extensions (内線) — phones, groups, call centers, IVRs — are 4 digits in 1000–6999. */
export function isExtensionNumber(s: string): boolean {
  if (s.length !== 4) return false;
  const c0 = s.charCodeAt(0);
  if (c0 < 0x31 || c0 > 0x36) return false; // '1'..'6'
  return isDigitsFrom(s, 1);
}

/** SPEC M-12: mobile extensions are 2000–3999 only. */
export function isMobileExtensionNumber(s: string): boolean {
  return isExtensionNumber(s) && (s[0] === '2' || s[0] === '3');
}

/** SPEC D-4 / M-13: "the 1000 range" is 1000–1999. */
export function isThousandRange(s: string): boolean {
  return isExtensionNumber(s) && s[0] === '1';
}

/**
 * SPEC M-13: on a server with au mobiles, softphones and hardphones may not use 110X, 118X,
 * 119X (the carrier may connect them to police/fire/ambulance numbers 110/118/119).
 */
export function isAuReservedNumber(s: string): boolean {
  return isExtensionNumber(s) && s[0] === '1' && s[1] === '1' && (s[2] === '0' || s[2] === '8' || s[2] === '9');
}

/** A national number as the carrier sees it: `0` + 9–19 digits (SPEC N-2; `010…` is international). */
export function isExternalNumber(s: string): boolean {
  return s.length >= EXTERNAL_MIN_LENGTH && s.length <= EXTERNAL_MAX_LENGTH && s[0] === '0' && isDigitsFrom(s, 1);
}
export const EXTERNAL_MIN_LENGTH = 10;
export const EXTERNAL_MAX_LENGTH = 20;

/** SPEC N-4: `700` parks; slots are `701`–`7NN`, NN = parkSlots (at most 99). */
export const PARK_CODE = '700';
export const MAX_PARK_SLOTS = 99;

/**
 * SPEC F-2 / N-5: why a federation prefix is not acceptable, or undefined when it is.
 *
 * The SPEC allows `1`–`98` except `7`, `8`, `9`. We also refuse two-digit prefixes that
 * start with `7` or `9` (70–79, 90–98): on a phone with a digit map, `7NN` (park retrieve,
 * N-4) and `9`+extension (pickup, N-3) fire as soon as they match, so a call to `91`+`1001`
 * would pick up the call ringing at 1100 instead. A leading `0` is external (N-2). Prefixes
 * `80`–`89` stay allowed: `8` means nothing to a non-mobile and a mobile's escape `8` (N-6)
 * is stripped exactly once. See docs/dialplan.md.
 */
export function federationPrefixProblem(p: string): string | undefined {
  if (!/^\d{1,2}$/.test(p)) return 'must be 1 or 2 digits';
  if (p[0] === '0') return 'must not start with 0: a leading 0 is an external call (N-2)';
  const n = Number(p);
  if (n > 98) return 'must be 1–98';
  if (p === '7' || p === '8' || p === '9') return `"${p}" is reserved (7 park, 8 mobile escape, 9 pickup)`;
  // Two-digit prefixes 70–79 and 90–98 are allowed as SPEC F-2 says: the dial string arrives
  // whole in the INVITE, so its length tells `71`+ext (6 digits) from slot `71N` (3) or `9`+ext (5).
  return undefined;
}

function isDigitsFrom(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
