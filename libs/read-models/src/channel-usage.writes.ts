import type { SqlRunner } from './call-log.query';

/** One live leg holding a channel (SPEC Q-6), as channel_usage stores it. */
export interface ChannelUsageRow {
  readonly legId: string;
  readonly serverId: string;
  readonly pool: 'channel' | 'mobile-channel';
  readonly callId: string;
  readonly requestId: string | null;
  readonly direction: string;
  readonly holder: string;
  readonly farEnd: unknown;
  readonly localParty: string | null;
  readonly since: string;
  readonly renewedAt: string;
  readonly expiresAt: string;
}

/**
 * One change of channel_usage, in log order. `restate`: the server's leases as a books-opened
 * event carries them — the rows of that server become exactly these.
 */
export type ChannelUsageChange =
  | { readonly kind: 'hold'; readonly row: ChannelUsageRow }
  | { readonly kind: 'renew'; readonly legId: string; readonly renewedAt: string; readonly expiresAt: string }
  | { readonly kind: 'free'; readonly legId: string }
  | { readonly kind: 'restate'; readonly serverId: string; readonly rows: readonly ChannelUsageRow[] };

const row = (r: ChannelUsageRow) => ({
  leg_id: r.legId,
  server_id: r.serverId,
  pool: r.pool,
  call_id: r.callId,
  request_id: r.requestId,
  direction: r.direction,
  holder: r.holder,
  far_end: r.farEnd,
  local_party: r.localParty,
  since: r.since,
  renewed_at: r.renewedAt,
  expires_at: r.expiresAt,
});

const UPSERT_SQL = `
INSERT INTO channel_usage (leg_id, server_id, pool, call_id, request_id, direction, holder, far_end, local_party, since, renewed_at, expires_at)
SELECT leg_id, server_id, pool, call_id, request_id, direction, holder, far_end, local_party, since, renewed_at, expires_at
  FROM jsonb_to_recordset($1::jsonb) AS x(leg_id text, server_id text, pool text, call_id text, request_id text, direction text, holder text,
                                          far_end jsonb, local_party text, since timestamptz, renewed_at timestamptz, expires_at timestamptz)
ON CONFLICT (leg_id) DO UPDATE SET server_id = EXCLUDED.server_id, pool = EXCLUDED.pool, call_id = EXCLUDED.call_id, request_id = EXCLUDED.request_id,
  direction = EXCLUDED.direction, holder = EXCLUDED.holder, far_end = EXCLUDED.far_end, local_party = EXCLUDED.local_party,
  since = EXCLUDED.since, renewed_at = EXCLUDED.renewed_at, expires_at = EXCLUDED.expires_at`;

/**
 * Applies the changes in order. Renewals are the bulk of pool events; consecutive changes are
 * coalesced per leg in memory first (the last word per leg wins, a restate cuts the run), so a
 * batch costs a few statements, not one per event.
 */
export async function applyChannelUsageChanges(db: SqlRunner, changes: readonly ChannelUsageChange[]): Promise<void> {
  // Net effect per leg within a run of non-restate changes.
  type Net = { kind: 'hold'; row: ChannelUsageRow } | { kind: 'renew'; renewedAt: string; expiresAt: string } | { kind: 'free' };
  let run = new Map<string, Net>();
  const flush = async () => {
    if (run.size === 0) return;
    const holds: ChannelUsageRow[] = [];
    const renews: { leg_id: string; renewed_at: string; expires_at: string }[] = [];
    const frees: string[] = [];
    for (const [legId, n] of run) {
      if (n.kind === 'hold') holds.push(n.row);
      else if (n.kind === 'renew') renews.push({ leg_id: legId, renewed_at: n.renewedAt, expires_at: n.expiresAt });
      else frees.push(legId);
    }
    run = new Map();
    if (frees.length > 0) await db.query(`DELETE FROM channel_usage WHERE leg_id = ANY($1::text[])`, [frees]);
    if (holds.length > 0) await db.query(UPSERT_SQL, [JSON.stringify(holds.map(row))]);
    if (renews.length > 0) {
      await db.query(
        `UPDATE channel_usage u SET renewed_at = x.renewed_at, expires_at = x.expires_at
           FROM jsonb_to_recordset($1::jsonb) AS x(leg_id text, renewed_at timestamptz, expires_at timestamptz)
          WHERE u.leg_id = x.leg_id`,
        [JSON.stringify(renews)],
      );
    }
  };
  for (const c of changes) {
    switch (c.kind) {
      case 'hold':
        run.set(c.row.legId, { kind: 'hold', row: c.row });
        break;
      case 'renew': {
        const before = run.get(c.legId);
        if (before?.kind === 'hold') run.set(c.legId, { kind: 'hold', row: { ...before.row, renewedAt: c.renewedAt, expiresAt: c.expiresAt } });
        else if (before?.kind !== 'free') run.set(c.legId, { kind: 'renew', renewedAt: c.renewedAt, expiresAt: c.expiresAt });
        break;
      }
      case 'free':
        run.set(c.legId, { kind: 'free' });
        break;
      case 'restate':
        await flush();
        await db.query(`DELETE FROM channel_usage WHERE server_id = $1 AND NOT (leg_id = ANY($2::text[]))`, [c.serverId, c.rows.map((r) => r.legId)]);
        if (c.rows.length > 0) await db.query(UPSERT_SQL, [JSON.stringify(c.rows.map(row))]);
        break;
    }
  }
  await flush();
}
