import { createResponse, Peer, ServerTransaction, SipRequest } from '@pbx/sip';
import { EdgeDirectory } from '../provisioning/edge-directory';
import { newTag } from '../calls/sip-ids';
import { Authenticator } from './authenticator';
import { BindingStore } from './binding.store';
import { applyRegister, contactRows, RegistrarLimits } from './registrar.rules';

/** REGISTER (RFC 3261 §10.3) with digest; bindings in PostgreSQL. */
export class Registrar {
  constructor(
    private readonly deps: {
      store: BindingStore;
      auth: Authenticator;
      directory: () => EdgeDirectory;
      limits: RegistrarLimits;
      now?: () => number;
      onError?(error: Error): void;
    },
  ) {}

  async handle(request: SipRequest, tx: ServerTransaction, peer: Peer): Promise<void> {
    const reply = (status: number, reason?: string, headers?: Record<string, string | string[]>): void =>
      tx.respond(createResponse(request, status, reason, headers, { toTag: newTag() }));
    const who = this.deps.auth.identify(request, peer);
    if (!who.ok) return reply(who.status, who.reason, who.headers);
    if (who.identity.kind !== 'extension') return reply(403, 'Forbidden');
    const aor = who.identity.number;
    if (this.deps.directory().phone(aor) === undefined) return reply(404, 'Not Found - no such extension');
    const now = (this.deps.now ?? Date.now)();
    try {
      const existing = await this.deps.store.bindings(aor, now);
      const contacts = request.contact();
      if (contacts !== '*' && contacts.length === 0) {
        // a query (§10.2.3): list the current bindings
        return reply(200, 'OK', { Contact: contactRows(existing, now) });
      }
      const outcome = applyRegister(
        existing,
        {
          aor,
          contacts,
          expires: request.expires(),
          callId: request.callId(),
          cseq: request.cseq().seq,
          peer,
          userAgent: request.headers.get('user-agent'),
          now,
        },
        this.deps.limits,
      );
      if (!outcome.ok) return reply(outcome.status, outcome.reason, outcome.headers);
      await this.deps.store.save(aor, outcome.upserted, outcome.removed, now);
      const rows = contactRows(outcome.bindings, now);
      return reply(200, 'OK', rows.length > 0 ? { Contact: rows, Date: new Date(now).toUTCString() } : { Date: new Date(now).toUTCString() });
    } catch (e) {
      this.deps.onError?.(e as Error);
      return reply(500, 'Server Internal Error - registrations unavailable', { 'Retry-After': '5' });
    }
  }
}
