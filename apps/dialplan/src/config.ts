import { z } from 'zod';
import { defaultHttpPort } from '@pbx/contracts';
import { baseConfigSchema, loadConfig } from '@pbx/service-kit';

/** dialplan settings, validated once at boot (ARCHITECTURE.md "config"). */
export const configSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(defaultHttpPort('dialplan')),
  /**
   * Read at boot; names the server. With DATABASE_URL (optional, from the kit's base schema) the
   * stored provisioning of that server wins and every apply is followed (docs/provisioning.md).
   */
  PROVISIONING_FILE: z.string().min(1).default('deploy/demo/provisioning.yaml'),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig('dialplan', configSchema, env);
