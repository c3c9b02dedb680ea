import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * チャネル使用状況 (SPEC Q-6) as a read model: one row per live leg holding a channel, from
 * channel-quota's pool events. A row appears with ChannelReserved, moves with renewals and goes
 * with ChannelReleased / ChannelLeaseExpired; a books-opened event re-states the server's leases.
 */
@Entity({ name: 'channel_usage' })
@Index('channel_usage_server_since', { synchronize: false })
@Check('channel_usage_pool_check', `pool IN ('channel', 'mobile-channel')`)
export class ChannelUsageEntity {
  @PrimaryColumn({ name: 'leg_id', type: 'text' })
  legId!: string;

  /** The server whose pool holds the channel (from the pool stream's name). */
  @Column({ name: 'server_id', type: 'text' })
  serverId!: string;

  @Column({ name: 'pool', type: 'text' })
  pool!: string;

  @Column({ name: 'call_id', type: 'text' })
  callId!: string;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'direction', type: 'text' })
  direction!: string;

  /** Who holds it, for display: the far end's number, extension or peer server. */
  @Column({ name: 'holder', type: 'text' })
  holder!: string;

  /** The far end as channel-quota got it (`{ kind, … }`). */
  @Column({ name: 'far_end', type: 'jsonb' })
  farEnd!: unknown;

  /** Our side: the extension, DID, group or IVR number. */
  @Column({ name: 'local_party', type: 'text', nullable: true })
  localParty!: string | null;

  @Column({ name: 'since', type: 'timestamptz' })
  since!: Date;

  @Column({ name: 'renewed_at', type: 'timestamptz' })
  renewedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
