import { z } from 'zod';
import { ASYNC_SEARCH_FILES_DIR_DEFAULT, defaultHttpPort } from '@pbx/contracts';
import { baseConfigSchema, loadConfig } from '@pbx/service-kit';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** api-gateway settings, validated once at boot (ARCHITECTURE.md "config"). docs/api.md "Settings". */
export const configSchema = baseConfigSchema
  .extend({
    HTTP_PORT: int(0, 65535).default(defaultHttpPort('api-gateway')),
    NODE_ENV: z.string().optional(),
    /**
     * Accounts, roles and grants (SPEC §11). Read at boot (a bad file stops it, SPEC B-3); names the
     * server. With DATABASE_URL (optional, from the kit's base schema) the stored provisioning of
     * that server wins and every apply is followed without restart; without it the file is hashed
     * once at boot and stays in force (docs/api.md "Accounts follow the provisioning").
     */
    PROVISIONING_FILE: z.string().min(1).default('deploy/demo/provisioning.yaml'),
    /**
     * HS256 key of the access tokens, at least 32 characters. Required when NODE_ENV=production;
     * elsewhere, when unset, each process draws a random one (tokens die with the process).
     */
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_TTL_SECONDS: int(60, 86_400).default(3_600),
    /** Failed logins allowed per login name in the window, then 429 (docs/api.md "Login"). */
    LOGIN_MAX_FAILURES_PER_LOGIN: int(1, 1_000).default(5),
    /** Failed logins allowed per client address in the window (offices share one address behind NAT). */
    LOGIN_MAX_FAILURES_PER_ADDRESS: int(1, 10_000).default(20),
    LOGIN_WINDOW_SECONDS: int(1, 86_400).default(60),
    /**
     * scrypt cost, as log2(N) (15 = 32 MiB, ~100 ms), of the hashes the gateway makes itself: the
     * file's passwords without DATABASE_URL, and the unknown-login decoy when there is no account.
     * Stored accounts are verified at the cost their apply hashed them with.
     */
    PASSWORD_SCRYPT_LOG2N: int(10, 20).default(15),
    /** How long a downstream service (history-projector, async-search, channel-quota) has to answer. */
    DOWNSTREAM_TIMEOUT_MS: int(100, 60_000).default(5_000),
    /** The folder async-search writes its result files to (the same setting as async-search's): downloads are read from it. */
    ASYNC_SEARCH_FILES_DIR: z.string().min(1).default(ASYNC_SEARCH_FILES_DIR_DEFAULT),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.JWT_SECRET) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['JWT_SECRET'], message: 'is required when NODE_ENV=production (at least 32 characters)' });
    }
  });
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig('api-gateway', configSchema, env);
