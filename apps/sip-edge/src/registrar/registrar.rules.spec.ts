import { parseContactValue, Peer } from '@pbx/sip';
import { applyRegister, Binding, contactRows, RegisterInput } from './registrar.rules';

const peer: Peer = { protocol: 'udp', address: '127.0.0.1', port: 5070 };
const limits = { minExpires: 60, maxExpires: 3600, defaultExpires: 600, maxContacts: 3 };
const input = (contact: string, over: Partial<RegisterInput> = {}): RegisterInput => ({
  aor: '1001',
  contacts: parseContactValue(contact),
  expires: undefined,
  callId: 'reg-1',
  cseq: 1,
  peer,
  now: 1_000_000,
  ...over,
});
function ok(r: ReturnType<typeof applyRegister>): Extract<ReturnType<typeof applyRegister>, { ok: true }> {
  if (!r.ok) throw new Error(`expected ok, got ${r.status} ${r.reason}`);
  return r;
}

describe('registrar rules (RFC 3261 §10.3)', () => {
  it('binds a contact with the header Expires, capped at the maximum', () => {
    const r = ok(applyRegister([], input('<sip:1001@127.0.0.1:5070>', { expires: 99_999 }), limits));
    expect(r.bindings).toHaveLength(1);
    expect(r.bindings[0].expiresAt).toBe(1_000_000 + 3600_000);
  });

  it('prefers the contact expires parameter over the header and defaults without either', () => {
    const r = ok(applyRegister([], input('<sip:a@h1>;expires=120, <sip:b@h2>', { expires: undefined }), limits));
    expect(r.bindings.map((b) => (b.expiresAt - 1_000_000) / 1000)).toEqual([120, 600]);
  });

  it('answers 423 with Min-Expires for a too brief interval', () => {
    const r = applyRegister([], input('<sip:a@h1>', { expires: 10 }), limits);
    expect(r).toEqual({ ok: false, status: 423, reason: 'Interval Too Brief', headers: { 'Min-Expires': '60' } });
  });

  it('keeps several contacts per extension and refreshes one by its URI (case-insensitive host)', () => {
    const first = ok(applyRegister([], input('<sip:a@h1>, <sip:b@h2>'), limits)).bindings;
    const second = ok(applyRegister(first, input('<sip:b@H2>', { cseq: 2, now: 1_500_000 }), limits));
    expect(second.bindings).toHaveLength(2);
    expect(second.bindings.find((b) => b.contact.startsWith('sip:b'))?.expiresAt).toBe(1_500_000 + 600_000);
  });

  it('removes a contact with expires=0 and everything with * and Expires: 0', () => {
    const start = ok(applyRegister([], input('<sip:a@h1>, <sip:b@h2>'), limits)).bindings;
    const one = ok(applyRegister(start, input('<sip:a@h1>;expires=0', { cseq: 2 }), limits));
    expect(one.bindings.map((b) => b.contact)).toEqual(['sip:b@h2']);
    expect(one.removed).toEqual(['sip:a@h1']);
    const all = ok(applyRegister(start, { ...input('<sip:x@y>', { cseq: 3, expires: 0, callId: 'other' }), contacts: '*' }, limits));
    expect(all.bindings).toEqual([]);
  });

  it('refuses * without Expires: 0', () => {
    const r = applyRegister([], { ...input('<sip:x@y>'), contacts: '*', expires: 60 }, limits);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.status).toBe(400);
  });

  it('refuses an out-of-order REGISTER (same Call-ID, CSeq not higher)', () => {
    const start = ok(applyRegister([], input('<sip:a@h1>', { cseq: 5 }), limits)).bindings;
    const r = applyRegister(start, input('<sip:a@h1>', { cseq: 5 }), limits);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.status).toBe(500);
  });

  it('limits the contacts per extension', () => {
    const r = applyRegister([], input('<sip:a@h1>, <sip:b@h2>, <sip:c@h3>, <sip:d@h4>'), limits);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.status).toBe(403);
  });

  it('forgets expired bindings and lists live ones with remaining seconds', () => {
    const old: Binding = { aor: '1001', contact: 'sip:old@h', expiresAt: 999_000, callId: 'x', cseq: 1, peer };
    const r = ok(applyRegister([old], input('<sip:a@h1>', { expires: 300 }), limits));
    expect(contactRows(r.bindings, 1_000_000)).toEqual(['<sip:a@h1>;expires=300']);
  });

  it('rejects a malformed expires parameter', () => {
    const r = applyRegister([], input('<sip:a@h1>;expires=soon'), limits);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.status).toBe(400);
  });
});
