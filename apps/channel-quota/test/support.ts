// Test support for channel-quota's integration specs and their child-process fixtures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChannelPoolEvent } from '@pbx/domain-channel';
import { ReserveChannelRequest } from '@pbx/contracts';
import { createEventStore, EventStore, migrateEventStore, RecordedEvent } from '@pbx/event-store';
import { parseProvisioning } from '@pbx/provisioning';
import { applyProvisioning, ApplyResult } from '@pbx/provisioning-store';
import { runService, RunningService } from '@pbx/service-kit';
import { createTestDatabase, testNatsUrl, testServerId, writeTestProvisioning } from '@pbx/testing';
import { Config, configSchema } from '../src/config';
import { ChannelQuotaModule } from '../src/channel-quota.module';
import { poolStreamName } from '../src/pool/channel-pool.streams';

export const repoRoot = join(__dirname, '../../..');

/** A provisioning file with the given limits (SPEC Q-1) in the run's temp folder. */
export function writeProvisioning(o: { serverId?: string; channelLimit: number; mobileChannelLimit: number }): { file: string; serverId: string } {
  const serverId = o.serverId ?? testServerId('cq');
  const file = writeTestProvisioning(serverId, [
    'server:',
    `  id: ${serverId}`,
    `  domain: ${serverId}.pbx.test`,
    `  channelLimit: ${o.channelLimit}`,
    `  mobileChannelLimit: ${o.mobileChannelLimit}`,
    '  defaultNotificationNumber: "0312345678"',
    'trunks:',
    '  - { id: carrier-a, host: 127.0.0.1, dids: ["0312345678"] }',
    'extensions:',
    '  - { number: "1001", kind: softphone, name: Sato, password: "s3cret-1001" }',
    '  - { number: "2001", kind: mobile, name: Takahashi, mobileNumber: "09012345678", carrier: docomo }',
    '',
  ]);
  return { file, serverId };
}

/** Applies the provisioning file with other limits (as `tools/stack provision` would): one ProvisioningApplied. */
export function applyLimits(store: EventStore, file: string, limits: { channelLimit: number; mobileChannelLimit: number }): Promise<ApplyResult> {
  const r = parseProvisioning(readFileSync(file, 'utf8'));
  if (!r.ok) throw new Error(`test provisioning ${file} is invalid: ${JSON.stringify(r.errors)}`);
  return applyProvisioning(store, { ...r.provisioning, server: { ...r.provisioning.server, ...limits } }, { source: file });
}

/** A fresh database with the event store schema (the stack's migration step does this in production). */
export async function createQuotaDatabase(): Promise<string> {
  const url = await createTestDatabase('cq');
  await migrateEventStore(url);
  return url;
}

export function quotaConfig(env: Record<string, string>): Config {
  return configSchema.parse({ NATS_URL: testNatsUrl(), HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...env });
}

/** One in-process replica: the same module main.ts boots, in the service's queue group. */
export function bootReplica(config: Config, clock?: () => number): Promise<RunningService> {
  return runService({ service: 'channel-quota', config, imports: [ChannelQuotaModule.register(config, clock)] });
}

/** Every stored event of a server's pool, across its epochs, in order. */
export async function readPoolEvents(databaseUrl: string, serverId: string): Promise<RecordedEvent<ChannelPoolEvent>[]> {
  const store = createEventStore({ connectionString: databaseUrl, poolSize: 1 });
  try {
    const all: RecordedEvent<ChannelPoolEvent>[] = [];
    for (let epoch = 1; ; epoch++) {
      const { events, version } = await store.readStream<ChannelPoolEvent>(poolStreamName(serverId, epoch));
      if (version === 0n) return all;
      all.push(...events);
    }
  } finally {
    await store.close();
  }
}

/** The highest number of channels held at any point of the stored history (SPEC Q-4's invariant). */
export function peakHeld(events: readonly ChannelPoolEvent[], pool: 'channel' | 'mobile-channel' = 'channel'): number {
  const held = new Set<string>();
  let peak = 0;
  for (const e of events) {
    if (e.type === 'ChannelReserved' && e.data.pool === pool) held.add(e.data.legId);
    if ((e.type === 'ChannelReleased' || e.type === 'ChannelLeaseExpired') && e.data.pool === pool) held.delete(e.data.legId);
    peak = Math.max(peak, held.size);
  }
  return peak;
}

export const trunkLeg = (legId: string, extra: Partial<ReserveChannelRequest> = {}): ReserveChannelRequest => ({
  legId,
  callId: `call-${legId}`,
  requestId: `req-${legId}`,
  direction: 'inbound',
  farEnd: { kind: 'trunk', trunkId: 'carrier-a', number: '09011112222' },
  localParty: '0312345678',
  ...extra,
});
