import type { MigrationInterface, QueryRunner } from 'typeorm';

/** channel_usage (チャネル使用状況, SPEC Q-6): live legs holding a channel. */
export class ChannelUsage1767225600002 implements MigrationInterface {
  name = 'ChannelUsage1767225600002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE channel_usage (
        leg_id      text        NOT NULL,
        server_id   text        NOT NULL,
        pool        text        NOT NULL,
        call_id     text        NOT NULL,
        request_id  text,
        direction   text        NOT NULL,
        holder      text        NOT NULL,
        far_end     jsonb       NOT NULL,
        local_party text,
        since       timestamptz NOT NULL,
        renewed_at  timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL,
        CONSTRAINT channel_usage_pkey PRIMARY KEY (leg_id),
        CONSTRAINT channel_usage_pool_check CHECK (pool IN ('channel', 'mobile-channel'))
      )`);
    await q.query(`CREATE INDEX channel_usage_server_since ON channel_usage (server_id, since)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS channel_usage`);
  }
}
