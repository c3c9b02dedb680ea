import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * コールセンター履歴 (SPEC H-2): one row per visit of a call to a call center (a call that
 * overflows from one center to another has one row per center). The table is ready for the
 * call-center issue, which projects into it; nothing writes it yet. Columns: docs/history.md.
 */
@Entity({ name: 'call_center_log' })
@Index('call_center_log_queued_at', { synchronize: false })
@Index('call_center_log_center_queued_at', { synchronize: false })
@Index('call_center_log_caller_queued_at', { synchronize: false })
@Index('call_center_log_agent_queued_at', { synchronize: false })
@Index('call_center_log_request_id', { synchronize: false })
export class CallCenterLogEntity {
  /** `<callId>:<callCenterId>:<visit>` — chosen by the projector. */
  @PrimaryColumn({ name: 'id', type: 'text' })
  id!: string;

  @Column({ name: 'call_id', type: 'text' })
  callId!: string;

  @Column({ name: 'request_id', type: 'text' })
  requestId!: string;

  @Column({ name: 'call_center_id', type: 'text' })
  callCenterId!: string;

  /** 業務ラベル, when the center or the IVR set one. */
  @Column({ name: 'business_label', type: 'text', nullable: true })
  businessLabel!: string | null;

  /** The customer as presented (SPEC F-7: the customer's number, also over federation). */
  @Column({ name: 'caller', type: 'text' })
  caller!: string;

  /** Our number: the center's extension or the DID the call came in on. */
  @Column({ name: 'our_number', type: 'text' })
  ourNumber!: string;

  /** When the call entered the center's queue. */
  @Column({ name: 'queued_at', type: 'timestamptz' })
  queuedAt!: Date;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'wait_seconds', type: 'integer', default: 0 })
  waitSeconds!: number;

  @Column({ name: 'talk_seconds', type: 'integer', default: 0 })
  talkSeconds!: number;

  /** Hold time on the agent's side; mobile and personal-phone holds do not count (SPEC M-8, P-2). */
  @Column({ name: 'hold_seconds', type: 'integer', default: 0 })
  holdSeconds!: number;

  @Column({ name: 'hold_count', type: 'integer', default: 0 })
  holdCount!: number;

  @Column({ name: 'agent_login', type: 'text', nullable: true })
  agentLogin!: string | null;

  @Column({ name: 'agent_extension', type: 'text', nullable: true })
  agentExtension!: string | null;

  /** answered, abandoned, overflowed, timeout, callback-registered, … (fixed by the call-center issue). */
  @Column({ name: 'result', type: 'text', nullable: true })
  result!: string | null;

  @Column({ name: 'federation', type: 'boolean', default: false })
  federation!: boolean;
}
