import { createTestDatabase } from '@pbx/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrateReadModels, READ_MODEL_MIGRATIONS_TABLE, readModelsDataSourceOptions } from '../src';

// The read-model schema comes from explicit TypeORM migrations; the entities describe the same
// tables (TypeORM's own schema diff finds nothing to change after the migrations ran).
describe('read-model migrations (TypeORM)', () => {
  let url: string;
  let db: Client;

  beforeAll(async () => {
    url = await createTestDatabase('read_models');
    db = new Client({ connectionString: url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
  });

  async function pendingSchemaChanges(): Promise<string[]> {
    const ds = new DataSource(readModelsDataSourceOptions(url));
    await ds.initialize();
    try {
      return (await ds.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
    } finally {
      await ds.destroy();
    }
  }

  it('the entities differ from an empty database (the schema diff is a real check)', async () => {
    expect((await pendingSchemaChanges()).join('\n')).toMatch(/CREATE TABLE "call_log"/);
  });

  it('creates the tables once, concurrent runs take turns, and a rerun applies nothing', async () => {
    const runs = await Promise.all([migrateReadModels(url), migrateReadModels(url), migrateReadModels(url)]);
    expect(runs.flat().sort()).toEqual(['CallCenterLog1767225600001', 'CallLog1767225600000', 'ChannelUsage1767225600002']);
    expect(await migrateReadModels(url)).toEqual([]);
    const tables = await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    expect(tables.rows.map((r: { tablename: string }) => r.tablename)).toEqual(['call_center_log', 'call_log', 'call_log_state', 'channel_usage', READ_MODEL_MIGRATIONS_TABLE]);
  });

  it('the entities and the migrated tables agree column for column', async () => {
    expect(await pendingSchemaChanges()).toEqual([]);
  });

  it('has the indexes the searches rely on (period; number columns with the period)', async () => {
    const r = await db.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'call_log' ORDER BY indexname`);
    const defs = Object.fromEntries(r.rows.map((x: { indexname: string; indexdef: string }) => [x.indexname, x.indexdef.replace(/^.* USING /, '')]));
    expect(defs).toEqual({
      call_log_answered_by_started_at: 'btree (answered_by, started_at DESC) WHERE (answered_by IS NOT NULL)',
      call_log_callee_started_at: 'btree (callee, started_at DESC)',
      call_log_caller_started_at: 'btree (presented_caller, started_at DESC)',
      call_log_did_started_at: 'btree (did, started_at DESC) WHERE (did IS NOT NULL)',
      call_log_pkey: 'btree (call_id)',
      call_log_request_id: 'btree (request_id)',
      call_log_started_at: 'btree (started_at DESC, call_id DESC)',
    });
  });

  it('refuses rows the checks forbid (an unknown direction or result)', async () => {
    const insert = (direction: string, result: string | null) =>
      db.query(`INSERT INTO call_log (call_id, request_id, origin_leg_id, started_at, direction, presented_caller, callee, result) VALUES ($1, 'r', 'a', now(), $2, '1001', '1002', $3)`, [
        `chk-${direction}-${result}`,
        direction,
        result,
      ]);
    await expect(insert('sideways', null)).rejects.toThrow(/call_log_direction_check/);
    await expect(insert('internal', 'maybe')).rejects.toThrow(/call_log_result_check/);
    await expect(insert('internal', null)).resolves.toBeDefined();
  });
});
