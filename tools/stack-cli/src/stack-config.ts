import { join } from 'node:path';
import { defaultHttpPort, SERVICE_NAMES, ServiceName } from '@pbx/contracts';

export const repoRoot = join(__dirname, '../../..');

/** Where and on which ports the local stack runs. Every value can be set from the environment. */
export interface StackConfig {
  dataDir: string;
  natsPort: number;
  natsUrl?: string; // external NATS instead of our own
  pgPort: number;
  databaseUrl?: string; // external PostgreSQL instead of our own
  rtpengineNgPort: number;
  rtpengineDtmfPort: number;
  rtpPortMin: number;
  rtpPortMax: number;
  sipPort: number;
  httpPort: number;
  servicePortBase: number;
  provisioningFile: string;
  logLevel: string;
}

function num(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name}=${raw} is not a port number`);
  return n;
}

export function readStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  return {
    dataDir: env.STACK_DATA_DIR ?? join(repoRoot, '.data'),
    natsPort: num(env, 'STACK_NATS_PORT', 14222),
    natsUrl: env.NATS_URL || undefined,
    pgPort: num(env, 'STACK_PG_PORT', 15432),
    databaseUrl: env.DATABASE_URL || undefined,
    rtpengineNgPort: num(env, 'RTPENGINE_NG_PORT', 22222),
    rtpengineDtmfPort: num(env, 'RTPENGINE_DTMF_PORT', 22223),
    rtpPortMin: num(env, 'RTP_PORT_MIN', 30000),
    rtpPortMax: num(env, 'RTP_PORT_MAX', 39999), // 4 ports per anchored call: room for 2,500 calls
    sipPort: num(env, 'SIP_PORT', 5060),
    httpPort: num(env, 'HTTP_PORT', 3000),
    servicePortBase: num(env, 'STACK_SERVICE_PORT_BASE', 3001),
    provisioningFile: env.PROVISIONING_FILE ?? join(repoRoot, 'deploy/demo/provisioning.yaml'),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

/** api-gateway gets HTTP_PORT (the admin portal's port); the others count up from the base. */
export function servicePorts(c: StackConfig): Record<ServiceName, number> {
  const ports = {} as Record<ServiceName, number>;
  for (const s of SERVICE_NAMES) ports[s] = defaultHttpPort(s, c.servicePortBase, c.httpPort);
  return ports;
}

export const statePath = (c: StackConfig): string => join(c.dataDir, 'stack.json');
export const logDir = (c: StackConfig): string => join(c.dataDir, 'logs');

export interface StackState {
  pid: number;
  phase: 'starting' | 'up' | 'stopping' | 'failed';
  error?: string;
  startedAt: string;
  natsUrl: string;
  databaseUrl: string;
  /** server.id of the provisioning the stack booted with: `provision` refuses files for another server. */
  serverId?: string;
  rtpengineNg?: string;
  parts: { name: string; pid?: number; healthUrl?: string }[];
}
