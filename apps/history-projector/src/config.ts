import { z } from 'zod';
import { defaultHttpPort } from '@pbx/contracts';
import { baseConfigSchema, loadConfig } from '@pbx/service-kit';

/** history-projector settings, validated once at boot (ARCHITECTURE.md "config"). */
export const configSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(defaultHttpPort('history-projector')),
  // The projector reads the event store: a database is not optional here.
  DATABASE_URL: z.string().url(),
  RELAY_ENABLED: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig('history-projector', configSchema, env);
