import type { MigrationInterface, QueryRunner } from 'typeorm';

/** call_center_log (コールセンター履歴): empty until the call-center issue projects into it. */
export class CallCenterLog1767225600001 implements MigrationInterface {
  name = 'CallCenterLog1767225600001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE call_center_log (
        id              text        NOT NULL,
        call_id         text        NOT NULL,
        request_id      text        NOT NULL,
        call_center_id  text        NOT NULL,
        business_label  text,
        caller          text        NOT NULL,
        our_number      text        NOT NULL,
        queued_at       timestamptz NOT NULL,
        answered_at     timestamptz,
        ended_at        timestamptz,
        wait_seconds    integer     NOT NULL DEFAULT 0,
        talk_seconds    integer     NOT NULL DEFAULT 0,
        hold_seconds    integer     NOT NULL DEFAULT 0,
        hold_count      integer     NOT NULL DEFAULT 0,
        agent_login     text,
        agent_extension text,
        result          text,
        federation      boolean     NOT NULL DEFAULT false,
        CONSTRAINT call_center_log_pkey PRIMARY KEY (id)
      )`);
    await q.query(`CREATE INDEX call_center_log_queued_at ON call_center_log (queued_at DESC, id DESC)`);
    await q.query(`CREATE INDEX call_center_log_center_queued_at ON call_center_log (call_center_id, queued_at DESC)`);
    await q.query(`CREATE INDEX call_center_log_caller_queued_at ON call_center_log (caller, queued_at DESC)`);
    await q.query(`CREATE INDEX call_center_log_agent_queued_at ON call_center_log (agent_login, queued_at DESC) WHERE agent_login IS NOT NULL`);
    await q.query(`CREATE INDEX call_center_log_request_id ON call_center_log (request_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS call_center_log`);
  }
}
