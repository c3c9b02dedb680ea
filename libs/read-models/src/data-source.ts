import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { CallCenterLogEntity } from './entities/call-center-log.entity';
import { CallLogEntity, CallLogStateEntity } from './entities/call-log.entity';
import { ChannelUsageEntity } from './entities/channel-usage.entity';
import { READ_MODEL_MIGRATIONS } from './migrations';

export const READ_MODEL_ENTITIES = [CallLogEntity, CallLogStateEntity, CallCenterLogEntity, ChannelUsageEntity];

/** TypeORM's own bookkeeping of which read-model migrations ran. */
export const READ_MODEL_MIGRATIONS_TABLE = 'read_model_migrations';

/**
 * TypeORM options for the read models (entities + migrations, never `synchronize`). For a
 * NestJS module: `TypeOrmModule.forRoot(readModelsDataSourceOptions(url))`.
 */
export function readModelsDataSourceOptions(connectionString: string, extra: { applicationName?: string; poolSize?: number } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url: connectionString,
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
    migrationsTableName: READ_MODEL_MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: extra.applicationName ?? 'pbx-read-models',
    poolSize: extra.poolSize ?? 2,
  };
}

// Session advisory lock shared by every process migrating the read models.
const LOCK = `hashtextextended('pbx:read-models:migrate', 0)`;

/**
 * Creates or updates the read-model tables (call_log, call_log_state, call_center_log,
 * channel_usage) with TypeORM's migration classes. Idempotent; concurrent runs take turns on an
 * advisory lock. Run by the stack's migrations step; services do not migrate at boot.
 * Returns the names of the migrations it applied.
 */
export async function migrateReadModels(connectionString: string): Promise<string[]> {
  const ds = new DataSource(readModelsDataSourceOptions(connectionString, { applicationName: 'pbx-read-models-migrate' }));
  await ds.initialize();
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query(`SELECT pg_advisory_lock(${LOCK})`);
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(${LOCK})`).catch(() => undefined);
    }
  } finally {
    await lock.release().catch(() => undefined);
    await ds.destroy().catch(() => undefined);
  }
}
