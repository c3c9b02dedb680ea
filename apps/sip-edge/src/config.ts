import { z } from 'zod';
import { defaultHttpPort } from '@pbx/contracts';
import { baseConfigSchema, loadConfig } from '@pbx/service-kit';

/** sip-edge settings, validated once at boot (ARCHITECTURE.md "config"). */
export const configSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(defaultHttpPort('sip-edge')),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig('sip-edge', configSchema, env);
