import { ContactList, formatUri, Peer, Uri } from '@pbx/sip';

// The registrar's rules (RFC 3261 §10.3), as a pure function of the bindings an address of
// record holds and one REGISTER. The address of record is the extension number (SPEC N-1).

export interface Binding {
  aor: string;
  /** The Contact URI as registered (the key, compared in a normalised form). */
  contact: string;
  expiresAt: number;
  callId: string;
  cseq: number;
  /** Where the REGISTER came from: requests to this contact are sent there (NAT, TCP/WS reuse). */
  peer: Peer;
  q?: number;
  userAgent?: string;
}

export interface RegistrarLimits {
  minExpires: number;
  maxExpires: number;
  defaultExpires: number;
  maxContacts: number;
}

export const DEFAULT_REGISTRAR_LIMITS: RegistrarLimits = { minExpires: 60, maxExpires: 3600, defaultExpires: 3600, maxContacts: 10 };

export interface RegisterInput {
  aor: string;
  contacts: ContactList | readonly [];
  /** The Expires header, if any. */
  expires: number | undefined;
  callId: string;
  cseq: number;
  peer: Peer;
  userAgent?: string;
  now: number;
}

export type RegisterOutcome =
  | { ok: true; bindings: Binding[]; upserted: Binding[]; removed: string[] }
  | { ok: false; status: number; reason: string; headers?: Record<string, string> };

/** Normalised form for comparing Contact URIs (§19.1.4, simplified: scheme and host case-insensitive). */
export function contactKey(uri: Uri | string): string {
  const text = typeof uri === 'string' ? uri : formatUri(uri);
  const m = /^(sips?):([^@]*@)?([^;?>]*)(.*)$/i.exec(text);
  if (m === null) return text;
  return `${m[1].toLowerCase()}:${m[2] ?? ''}${m[3].toLowerCase()}${m[4]}`;
}

export function liveBindings(bindings: readonly Binding[], now: number): Binding[] {
  return bindings.filter((b) => b.expiresAt > now);
}

export function applyRegister(existing: readonly Binding[], input: RegisterInput, limits: RegistrarLimits = DEFAULT_REGISTRAR_LIMITS): RegisterOutcome {
  const now = input.now;
  const current = new Map(liveBindings(existing, now).map((b) => [contactKey(b.contact), b]));

  if (input.contacts === '*') {
    // §10.3 step 6: "*" only with Expires: 0
    if (input.expires !== 0) return { ok: false, status: 400, reason: 'Bad Request - Contact: * needs Expires: 0' };
    const removed: string[] = [];
    for (const [key, b] of current) {
      if (b.callId === input.callId && b.cseq >= input.cseq) continue;
      removed.push(b.contact);
      current.delete(key);
    }
    return { ok: true, bindings: [...current.values()], upserted: [], removed };
  }

  const upserted: Binding[] = [];
  const removed: string[] = [];
  for (const c of input.contacts) {
    const rawParam = c.params.get('expires');
    let expires = input.expires ?? limits.defaultExpires;
    if (rawParam !== undefined && rawParam !== null) {
      if (!/^\d{1,10}$/.test(rawParam)) return { ok: false, status: 400, reason: 'Bad Request - malformed Contact expires' };
      expires = Number(rawParam);
    }
    if (expires !== 0 && expires < limits.minExpires) {
      return { ok: false, status: 423, reason: 'Interval Too Brief', headers: { 'Min-Expires': String(limits.minExpires) } };
    }
    expires = Math.min(expires, limits.maxExpires);
    const uri = formatUri(c.uri);
    const key = contactKey(uri);
    const old = current.get(key);
    // §10.3 step 7: same Call-ID with a CSeq that is not higher is a stale or replayed request
    if (old !== undefined && old.callId === input.callId && input.cseq <= old.cseq) {
      return { ok: false, status: 500, reason: 'Server Internal Error - out-of-order REGISTER (CSeq not higher)', headers: { 'Retry-After': '1' } };
    }
    if (expires === 0) {
      if (old !== undefined) {
        current.delete(key);
        removed.push(old.contact);
      }
      continue;
    }
    const qRaw = c.params.get('q');
    const q = qRaw === undefined || qRaw === null ? undefined : Number(qRaw);
    const b: Binding = {
      aor: input.aor,
      contact: uri,
      expiresAt: now + expires * 1000,
      callId: input.callId,
      cseq: input.cseq,
      peer: input.peer,
      ...(q !== undefined && Number.isFinite(q) ? { q } : {}),
      ...(input.userAgent !== undefined ? { userAgent: input.userAgent } : {}),
    };
    current.set(key, b);
    upserted.push(b);
  }
  if (current.size > limits.maxContacts) {
    return { ok: false, status: 403, reason: `Forbidden - at most ${limits.maxContacts} contacts per extension` };
  }
  return { ok: true, bindings: [...current.values()], upserted, removed };
}

/** The Contact rows of a 200 to REGISTER: every live binding with its remaining seconds (§10.3 step 8). */
export function contactRows(bindings: readonly Binding[], now: number): string[] {
  return bindings.map((b) => `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`);
}
