// @pbx/read-models — the read-model tables of the history projections (発着信履歴, コールセンター履歴,
// チャネル使用状況): TypeORM entities and migrations, and the plain-SQL search paths over them.
// How it works: docs/history.md.
import 'reflect-metadata';

export { migrateReadModels, READ_MODEL_ENTITIES, READ_MODEL_MIGRATIONS_TABLE, readModelsDataSourceOptions } from './data-source';
export { READ_MODEL_MIGRATIONS } from './migrations';
export { CallLogEntity, CallLogStateEntity } from './entities/call-log.entity';
export { CallCenterLogEntity } from './entities/call-center-log.entity';
export { ChannelUsageEntity } from './entities/channel-usage.entity';
export { buildCallLogQuery, CALL_LOG_ITEM_SELECT, CALL_LOG_ORDER_SQL, CALL_LOG_TABLE, searchCallLogs, toCallLogItem } from './call-log.query';
export type { CallLogDbRow, CallLogSearchOutcome, SqlRunner, SqlWhere } from './call-log.query';
export { CALL_LOG_CSV_COLUMNS, callLogCsvSelectSql } from './call-log.csv';
export type { CsvColumn } from './call-log.csv';
export { loadCallLogStates, saveCallLogStates, upsertCallLogRows } from './call-log.writes';
export type { CallLogStateWrite } from './call-log.writes';
export { applyChannelUsageChanges } from './channel-usage.writes';
export type { ChannelUsageChange, ChannelUsageRow } from './channel-usage.writes';
export { purgeHistoryBefore, retentionCutoff } from './retention';
export type { PurgeResult } from './retention';
