import { isThousandRange, type Carrier, type Extension } from '@pbx/provisioning';
import { ANONYMOUS, AU_MASKED_NUMBER, MAX_DIAL_LENGTH } from './dialplan.types';

// SPEC §2: what the callee sees. `base` is what D-1 / D-2 / a DID call presents — the caller's
// extension, `<prefix><extension>`, or the external caller's number — and the rules below
// derive what each kind of phone shows from it.

/**
 * What a ringing phone displays.
 * @param via the group or call-center extension the call came through (D-3), if any
 */
export function presentTo(target: Extension, base: string, via: string | undefined, mobileShowCallerNumber: boolean): string {
  if (target.kind !== 'mobile') return base; // D-1 / D-2 / DID: phones show the caller
  return presentToMobile(target.carrier, base, via, mobileShowCallerNumber);
}

/**
 * SPEC D-3: a mobile sees `8` + the number (so that calling back goes through the PBX, M-1);
 * for group and call-center calls `8` + the group/center extension, unless
 * mobileShowCallerNumber (M-4). SPEC D-4: an au mobile sees 99999999 instead of a number in
 * the 1000 range or of 12 digits or more. D-4 looks at the number that would follow the `8`
 * (so a group call from 1001 to an au mobile shows 86001, not 99999999) — see docs/dialplan.md.
 */
export function presentToMobile(carrier: Carrier, base: string, via: string | undefined, mobileShowCallerNumber: boolean): string {
  const shown = via !== undefined && !mobileShowCallerNumber ? via : base;
  if (shown === ANONYMOUS) return ANONYMOUS; // 非通知 stays 非通知: no "8" to call back
  if (carrier === 'au' && (isThousandRange(shown) || shown.length >= 12)) return AU_MASKED_NUMBER;
  return '8' + shown;
}

/**
 * An external caller's number as this PBX presents it: national format, digits only.
 * `+81…` → `0…`; other `+…` → `010…` (the international prefix dialed from Japan, so a
 * callback from the display works); missing, withheld or garbage → `anonymous`.
 */
export function normalizeCallerNumber(raw: string | undefined): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_DIAL_LENGTH) return ANONYMOUS;
  let s = raw;
  if (s.startsWith('+81')) s = '0' + s.slice(3);
  else if (s[0] === '+') s = '010' + s.slice(1);
  return s.length > 1 && isDigits(s) ? s : ANONYMOUS;
}

export function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return s.length > 0;
}
