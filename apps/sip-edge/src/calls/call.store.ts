import { Pool } from 'pg';
import { migrateUnderLock } from '../db/migrate';
import type { DialogState, Peer } from '@pbx/sip';

// Answered calls outlive the sip-edge instance that holds them (ARCHITECTURE.md "Scale":
// dialog state recoverable). Each answered call's two dialogs are kept in PostgreSQL with the
// instance that owns it; every instance beats a heartbeat. When an instance dies, another one
// finds its calls, hangs them up on both sides and records their end, and a BYE for one of
// them that reaches another instance is answered there. Operational state, like sip_binding.

export const CALL_STORE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS sip_edge_instance (
  instance_id   text        PRIMARY KEY,
  heartbeat_at  timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS sip_call (
  request_id    text        PRIMARY KEY,
  instance_id   text        NOT NULL,
  a_key         text        NOT NULL UNIQUE,
  b_key         text        NOT NULL UNIQUE,
  snapshot      jsonb       NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sip_call_instance ON sip_call (instance_id);
`;

/** One side of an answered call, enough to send it a BYE and record its end. */
export interface LegSnapshot {
  legId: string;
  dialog: DialogState;
  peer: Peer;
  holdsChannel: boolean;
}

export interface CallSnapshot {
  requestId: string;
  rtpCallId: string;
  a: LegSnapshot;
  b: LegSnapshot;
}

export class CallStore {
  constructor(
    private readonly pool: Pool,
    readonly instanceId: string,
  ) {}

  migrate(): Promise<void> {
    return migrateUnderLock(this.pool, CALL_STORE_SCHEMA_SQL);
  }

  async heartbeat(now: number): Promise<void> {
    await this.pool.query(
      'INSERT INTO sip_edge_instance (instance_id, heartbeat_at) VALUES ($1, $2) ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at',
      [this.instanceId, new Date(now)],
    );
  }

  /** Kept after the answer and after every change of a dialog's CSeq (re-INVITE). */
  async save(s: CallSnapshot, aKey: string, bKey: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO sip_call (request_id, instance_id, a_key, b_key, snapshot, updated_at) VALUES ($1,$2,$3,$4,$5,now())
       ON CONFLICT (request_id) DO UPDATE SET snapshot = EXCLUDED.snapshot, updated_at = now()`,
      [s.requestId, this.instanceId, aKey, bKey, JSON.stringify(s)],
    );
  }

  async remove(requestId: string): Promise<void> {
    await this.pool.query('DELETE FROM sip_call WHERE request_id = $1', [requestId]);
  }

  /**
   * Takes the calls of instances whose heartbeat is older than `staleMs` (dead ones): each row
   * is deleted as it is returned, so exactly one surviving instance ends each call.
   */
  async claimOrphans(now: number, staleMs: number, max = 200): Promise<CallSnapshot[]> {
    const r = await this.pool.query<{ snapshot: CallSnapshot }>(
      `DELETE FROM sip_call WHERE request_id IN (
         SELECT c.request_id FROM sip_call c LEFT JOIN sip_edge_instance i ON i.instance_id = c.instance_id
         WHERE c.instance_id <> $1 AND (i.heartbeat_at IS NULL OR i.heartbeat_at < $2)
         ORDER BY c.updated_at LIMIT $3 FOR UPDATE OF c SKIP LOCKED)
       RETURNING snapshot`,
      [this.instanceId, new Date(now - staleMs), max],
    );
    return r.rows.map((row) => row.snapshot);
  }

  /** At boot: calls a previous process with this same instance id left behind (it held them in memory only). */
  async claimLeftovers(): Promise<CallSnapshot[]> {
    const r = await this.pool.query<{ snapshot: CallSnapshot }>('DELETE FROM sip_call WHERE instance_id = $1 RETURNING snapshot', [this.instanceId]);
    return r.rows.map((row) => row.snapshot);
  }

  /** Takes the call one of whose dialogs has this key (a BYE for a call this instance does not hold). */
  async claimByDialog(key: string): Promise<{ snapshot: CallSnapshot; side: 'a' | 'b' } | undefined> {
    const r = await this.pool.query<{ snapshot: CallSnapshot; a_key: string }>('DELETE FROM sip_call WHERE a_key = $1 OR b_key = $1 RETURNING snapshot, a_key', [key]);
    const row = r.rows[0];
    return row === undefined ? undefined : { snapshot: row.snapshot, side: row.a_key === key ? 'a' : 'b' };
  }

  /** Forgets instances silent for a long time (their calls were taken long ago). */
  async forgetInstances(now: number, olderThanMs: number): Promise<void> {
    await this.pool.query('DELETE FROM sip_edge_instance WHERE heartbeat_at < $1 AND instance_id <> $2', [new Date(now - olderThanMs), this.instanceId]);
  }
}
