import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * call_log (発着信履歴) and the projector's per-call fold state. Indexes (docs/history.md):
 * the period index serves "newest first" pages and period counts; one (number, started_at)
 * index per number column serves the number filter and the A-1 scope as a BitmapOr, each
 * bounded by the period. answered_by and did are often null: partial indexes.
 */
export class CallLog1767225600000 implements MigrationInterface {
  name = 'CallLog1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE call_log (
        call_id            text        NOT NULL,
        request_id         text        NOT NULL,
        origin_leg_id      text        NOT NULL,
        started_at         timestamptz NOT NULL,
        answered_at        timestamptz,
        ended_at           timestamptz,
        duration_seconds   integer     NOT NULL DEFAULT 0,
        direction          text        NOT NULL,
        federation         boolean     NOT NULL DEFAULT false,
        presented_caller   text        NOT NULL,
        callee             text        NOT NULL,
        answered_by        text,
        answered_by_leg_id text,
        result             text,
        trunk_id           text,
        did                text,
        CONSTRAINT call_log_pkey PRIMARY KEY (call_id),
        CONSTRAINT call_log_direction_check CHECK (direction IN ('incoming', 'outgoing', 'internal')),
        CONSTRAINT call_log_result_check CHECK (result IN ('answered', 'no-answer', 'busy', 'cancelled', 'failed', 'rejected-over-channel-limit')),
        CONSTRAINT call_log_duration_check CHECK (duration_seconds >= 0)
      )`);
    await q.query(`CREATE INDEX call_log_started_at ON call_log (started_at DESC, call_id DESC)`);
    await q.query(`CREATE INDEX call_log_caller_started_at ON call_log (presented_caller, started_at DESC)`);
    await q.query(`CREATE INDEX call_log_callee_started_at ON call_log (callee, started_at DESC)`);
    await q.query(`CREATE INDEX call_log_answered_by_started_at ON call_log (answered_by, started_at DESC) WHERE answered_by IS NOT NULL`);
    await q.query(`CREATE INDEX call_log_did_started_at ON call_log (did, started_at DESC) WHERE did IS NOT NULL`);
    await q.query(`CREATE INDEX call_log_request_id ON call_log (request_id)`);
    await q.query(`
      CREATE TABLE call_log_state (
        call_id    text        NOT NULL,
        state      jsonb       NOT NULL,
        started_at timestamptz NOT NULL,
        CONSTRAINT call_log_state_pkey PRIMARY KEY (call_id)
      )`);
    await q.query(`CREATE INDEX call_log_state_started_at ON call_log_state (started_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS call_log_state`);
    await q.query(`DROP TABLE IF EXISTS call_log`);
  }
}
