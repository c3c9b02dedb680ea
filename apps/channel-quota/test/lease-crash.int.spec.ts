import { join } from 'node:path';
import { CHANNEL_QUOTA_USAGE, usageReplySchema } from '@pbx/contracts';
import { ChannelLeaseExpired } from '@pbx/domain-channel';
import { NatsBus, RunningService } from '@pbx/service-kit';
import { eventually, ManagedProcess, startProcess, testNatsUrl } from '@pbx/testing';
import { bootReplica, createQuotaDatabase, quotaConfig, readPoolEvents, repoRoot, writeProvisioning } from './support';

// SPEC Q-4: "never leaks … also when a service, NATS connection or process dies mid-call:
// leases expire and are reconciled". The owner of 10 leases is SIGKILLed mid-call.
describe('channel-quota: the leases of a process that dies are reclaimed (SPEC Q-4)', () => {
  const LEASE_MS = 2_000;
  const RENEW_MS = 400;
  const REAPER_INTERVAL_MS = 100;
  let databaseUrl: string;
  let serverId: string;
  let service: RunningService;
  let bus: NatsBus;
  let holder: ManagedProcess | undefined;

  beforeAll(async () => {
    databaseUrl = await createQuotaDatabase();
    const p = writeProvisioning({ channelLimit: 10, mobileChannelLimit: 0 });
    serverId = p.serverId;
    service = await bootReplica(
      quotaConfig({ DATABASE_URL: databaseUrl, PROVISIONING_FILE: p.file, REAPER_INTERVAL_MS: String(REAPER_INTERVAL_MS), REAPER_TAKEOVER_GRACE_MS: '0' }),
    );
    bus = await NatsBus.connect(testNatsUrl(), 'cq-crash');
  });
  afterAll(async () => {
    await holder?.stop();
    await bus?.close();
    await service?.close();
  });

  const usage = () => bus.request(CHANNEL_QUOTA_USAGE, {}, usageReplySchema);

  it('renewed leases live past their TTL; after SIGKILL all 10 are reclaimed within the TTL and recorded as ChannelLeaseExpired', async () => {
    const proc = startProcess('lease-holder', process.execPath, ['--require', join(repoRoot, 'tools/run-ts.cjs'), join(__dirname, 'fixtures/lease-holder.ts')], {
      cwd: repoRoot,
      env: { ...process.env, NATS_URL: testNatsUrl(), LEGS: '10', LEASE_MS: String(LEASE_MS), RENEW_MS: String(RENEW_MS), LEG_PREFIX: 'crash' },
    });
    holder = proc;
    let out = '';
    proc.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[lease-holder] ${d.toString()}`));

    await eventually('the holder to take 10 channels', () => out.includes('HELD 10'), 20_000);
    const heldAt = Date.now();
    // Renewals keep the leases alive beyond one TTL.
    await eventually('renewals past one TTL', () => Date.now() - heldAt > LEASE_MS * 1.5 && (out.match(/RENEWED 10 NOT_HELD 0/g) ?? []).length >= 3, 10_000);
    expect((await usage()).pools.channel.held).toBe(10);

    proc.child.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually('every lease reclaimed', async () => (await usage()).pools.channel.held === 0, LEASE_MS * 3);
    const reclaimedAfter = Date.now() - killedAt;
    expect(reclaimedAfter).toBeLessThanOrEqual(LEASE_MS + 4 * REAPER_INTERVAL_MS);

    const expired = (await readPoolEvents(databaseUrl, serverId)).filter((e): e is typeof e & ChannelLeaseExpired => e.type === 'ChannelLeaseExpired');
    expect(expired.map((e) => e.data.legId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `crash-${i}`).sort());
    for (const e of expired) {
      expect(e.data).toMatchObject({ pool: 'channel', direction: 'outbound', localParty: '1001', farEnd: { kind: 'trunk', number: '0312349999' } });
      expect(Date.parse(e.data.expiresAt) - Date.parse(e.data.renewedAt)).toBe(LEASE_MS);
      expect(Date.parse(e.data.renewedAt)).toBeGreaterThan(Date.parse(e.data.since)); // it was renewed
      expect(Date.parse(e.data.at)).toBeGreaterThanOrEqual(Date.parse(e.data.expiresAt));
      expect(Date.parse(e.data.at) - Date.parse(e.data.expiresAt)).toBeLessThan(4 * REAPER_INTERVAL_MS);
    }
  });
});
