import { Pool } from 'pg';
import { migrateUnderLock } from '../db/migrate';
import { Peer, TransportProtocol } from '@pbx/sip';
import { Binding } from './registrar.rules';

// Registrations live in PostgreSQL (table sip_binding, owned by sip-edge), so they survive a
// restart of sip-edge and every instance sees the same ones. Operational state, not history:
// the event log keeps calls, not REGISTER refreshes.

export const BINDING_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS sip_binding (
  aor            text        NOT NULL,
  contact        text        NOT NULL,
  expires_at     timestamptz NOT NULL,
  call_id        text        NOT NULL,
  cseq           bigint      NOT NULL,
  protocol       text        NOT NULL,
  address        text        NOT NULL,
  port           integer     NOT NULL,
  connection_id  text,
  q              real,
  user_agent     text,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (aor, contact)
);
CREATE INDEX IF NOT EXISTS sip_binding_expires ON sip_binding (expires_at);
`;

interface Row {
  aor: string;
  contact: string;
  expires_at: Date;
  call_id: string;
  cseq: string;
  protocol: string;
  address: string;
  port: number;
  connection_id: string | null;
  q: number | null;
  user_agent: string | null;
}

function toBinding(r: Row): Binding {
  const peer: Peer = { protocol: r.protocol as TransportProtocol, address: r.address, port: r.port, ...(r.connection_id !== null ? { connectionId: r.connection_id } : {}) };
  return {
    aor: r.aor,
    contact: r.contact,
    expiresAt: r.expires_at.getTime(),
    callId: r.call_id,
    cseq: Number(r.cseq),
    peer,
    ...(r.q !== null ? { q: r.q } : {}),
    ...(r.user_agent !== null ? { userAgent: r.user_agent } : {}),
  };
}

export class BindingStore {
  constructor(private readonly pool: Pool) {}

  migrate(): Promise<void> {
    return migrateUnderLock(this.pool, BINDING_SCHEMA_SQL);
  }

  async bindings(aor: string, now: number): Promise<Binding[]> {
    const r = await this.pool.query<Row>('SELECT * FROM sip_binding WHERE aor = $1 AND expires_at > $2 ORDER BY q DESC NULLS LAST, updated_at DESC', [aor, new Date(now)]);
    return r.rows.map(toBinding);
  }

  /** Bindings of several extensions at once (group ringing). */
  async bindingsOf(aors: readonly string[], now: number): Promise<Map<string, Binding[]>> {
    const out = new Map<string, Binding[]>();
    if (aors.length === 0) return out;
    const r = await this.pool.query<Row>('SELECT * FROM sip_binding WHERE aor = ANY($1) AND expires_at > $2', [aors, new Date(now)]);
    for (const row of r.rows) {
      const list = out.get(row.aor) ?? [];
      list.push(toBinding(row));
      out.set(row.aor, list);
    }
    return out;
  }

  /** Applies one REGISTER's outcome atomically. */
  async save(aor: string, upserted: readonly Binding[], removed: readonly string[], now: number): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      if (removed.length > 0) await c.query('DELETE FROM sip_binding WHERE aor = $1 AND contact = ANY($2)', [aor, removed]);
      for (const b of upserted) {
        await c.query(
          `INSERT INTO sip_binding (aor, contact, expires_at, call_id, cseq, protocol, address, port, connection_id, q, user_agent, updated_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
           ON CONFLICT (aor, contact) DO UPDATE SET expires_at = EXCLUDED.expires_at, call_id = EXCLUDED.call_id, cseq = EXCLUDED.cseq,
             protocol = EXCLUDED.protocol, address = EXCLUDED.address, port = EXCLUDED.port, connection_id = EXCLUDED.connection_id,
             q = EXCLUDED.q, user_agent = EXCLUDED.user_agent, updated_at = EXCLUDED.updated_at`,
          [aor, b.contact, new Date(b.expiresAt), b.callId, b.cseq, b.peer.protocol, b.peer.address, b.peer.port, b.peer.connectionId ?? null, b.q ?? null, b.userAgent ?? null, new Date(now)],
        );
      }
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async purgeExpired(now: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM sip_binding WHERE expires_at <= $1', [new Date(now)]);
    return r.rowCount ?? 0;
  }
}
