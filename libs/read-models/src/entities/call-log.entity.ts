import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * 発着信履歴 (SPEC H-2): one row per call, seen from its originating leg. Written by
 * history-projector only; columns and result mapping in docs/history.md. The table is created by
 * the explicit migrations (migrations/), never by `synchronize`; the int test checks that this
 * entity and the migrations describe the same table.
 */
@Entity({ name: 'call_log' })
@Index('call_log_started_at', { synchronize: false })
@Index('call_log_caller_started_at', { synchronize: false })
@Index('call_log_callee_started_at', { synchronize: false })
@Index('call_log_answered_by_started_at', { synchronize: false })
@Index('call_log_did_started_at', { synchronize: false })
@Index('call_log_request_id', { synchronize: false })
@Check('call_log_direction_check', `direction IN ('incoming', 'outgoing', 'internal')`)
@Check('call_log_result_check', `result IN ('answered', 'no-answer', 'busy', 'cancelled', 'failed', 'rejected-over-channel-limit')`)
@Check('call_log_duration_check', `duration_seconds >= 0`)
export class CallLogEntity {
  @PrimaryColumn({ name: 'call_id', type: 'text' })
  callId!: string;

  @Column({ name: 'request_id', type: 'text' })
  requestId!: string;

  @Column({ name: 'origin_leg_id', type: 'text' })
  originLegId!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'duration_seconds', type: 'integer', default: 0 })
  durationSeconds!: number;

  @Column({ name: 'direction', type: 'text' })
  direction!: string;

  @Column({ name: 'federation', type: 'boolean', default: false })
  federation!: boolean;

  @Column({ name: 'presented_caller', type: 'text' })
  presentedCaller!: string;

  @Column({ name: 'callee', type: 'text' })
  callee!: string;

  @Column({ name: 'answered_by', type: 'text', nullable: true })
  answeredBy!: string | null;

  @Column({ name: 'answered_by_leg_id', type: 'text', nullable: true })
  answeredByLegId!: string | null;

  @Column({ name: 'result', type: 'text', nullable: true })
  result!: string | null;

  @Column({ name: 'trunk_id', type: 'text', nullable: true })
  trunkId!: string | null;

  @Column({ name: 'did', type: 'text', nullable: true })
  did!: string | null;
}

/**
 * The projector's fold state of each call (`CallLogState` of @pbx/domain-call-leg, plain JSON),
 * kept beside the row so a batch resumes the fold without re-reading the call's streams.
 * Also holds calls whose originating leg is not known yet (no call_log row).
 */
@Entity({ name: 'call_log_state' })
export class CallLogStateEntity {
  @PrimaryColumn({ name: 'call_id', type: 'text' })
  callId!: string;

  @Column({ name: 'state', type: 'jsonb' })
  state!: unknown;

  /** When the call started (a-leg's LegCreated), else its first event's instant: what retention reads. */
  @Index('call_log_state_started_at')
  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;
}
