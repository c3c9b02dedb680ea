import { z } from 'zod';
import { defaultHttpPort } from '@pbx/contracts';
import { baseConfigSchema, loadConfig } from '@pbx/service-kit';

/** api-gateway settings, validated once at boot (ARCHITECTURE.md "config"). */
export const configSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(defaultHttpPort('api-gateway')),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig('api-gateway', configSchema, env);
