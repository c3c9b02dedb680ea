import { z } from 'zod';
import { defaultHttpPort } from '@pbx/contracts';
import { baseConfigSchema, loadConfig } from '@pbx/service-kit';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = (dflt: 'true' | 'false') => z.enum(['true', 'false']).default(dflt).transform((v) => v === 'true');

/** history-projector settings, validated once at boot (ARCHITECTURE.md "config"). */
export const configSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(defaultHttpPort('history-projector')),
  // The projector reads the event store: a database is not optional here.
  DATABASE_URL: z.string().url(),
  RELAY_ENABLED: flag('true'),
  /** Projects leg and pool events into the read models (docs/history.md). */
  PROJECTOR_ENABLED: flag('true'),
  /** Events per projector transaction: larger catches up faster, smaller holds the horizon less. */
  PROJECTOR_BATCH_SIZE: int(1, 10_000).default(500),
  /**
   * Names the server whose provisioning is followed: its `historyRetentionDays` (SPEC K-5) is the
   * retention, the stored document winning over the file (docs/provisioning.md). A bad file stops
   * the boot (SPEC B-3). Unset: HISTORY_RETENTION_DAYS.
   */
  PROVISIONING_FILE: z.string().min(1).optional(),
  /**
   * SPEC K-5 retention when no PROVISIONING_FILE is configured (400 days when unset too); ignored,
   * with a warning, when one is (docs/history.md "Retention").
   */
  HISTORY_RETENTION_DAYS: int(1, 36_500).optional(),
  /** How often retention runs (daily); the first run is shortly after boot. */
  RETENTION_INTERVAL_MS: int(1_000, 7 * 86_400_000).default(86_400_000),
  /** The first retention run after boot. */
  RETENTION_FIRST_RUN_MS: int(0, 86_400_000).default(60_000),
  RETENTION_ENABLED: flag('true'),
});
export type Config = z.infer<typeof configSchema>;

/** HISTORY_RETENTION_DAYS when unset, the same as the provisioning's `historyRetentionDays` default. */
export const DEFAULT_RETENTION_DAYS = 400;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig('history-projector', configSchema, env);
