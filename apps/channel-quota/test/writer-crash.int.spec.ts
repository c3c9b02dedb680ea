import { join } from 'node:path';
import { CHANNEL_QUOTA_RESERVE, CHANNEL_QUOTA_USAGE, reserveChannelReplySchema, usageReplySchema } from '@pbx/contracts';
import { NatsBus, RemoteError } from '@pbx/service-kit';
import { eventually, freePort, ManagedProcess, startProcess, testNatsUrl } from '@pbx/testing';
import { createQuotaDatabase, peakHeld, readPoolEvents, repoRoot, trunkLeg, writeProvisioning } from './support';

// SPEC Q-4: "… also when a service … dies mid-call". Two replicas run as processes, as deployed;
// the one that writes the pool is SIGKILLed while requests keep coming.
describe('channel-quota: the writer process is SIGKILLed (SPEC Q-4)', () => {
  const LIMIT = 10;
  let databaseUrl: string;
  let serverId: string;
  let bus: NatsBus;
  const replicas: { proc: ManagedProcess; port: number }[] = [];

  beforeAll(async () => {
    databaseUrl = await createQuotaDatabase();
    const p = writeProvisioning({ channelLimit: LIMIT, mobileChannelLimit: 0 });
    serverId = p.serverId;
    for (const name of ['a', 'b']) {
      const port = await freePort();
      const proc = startProcess(`channel-quota-${name}`, process.execPath, ['--require', join(repoRoot, 'tools/run-ts.cjs'), join(repoRoot, 'apps/channel-quota/src/main.ts')], {
        cwd: repoRoot,
        env: {
          ...process.env,
          NATS_URL: testNatsUrl(),
          DATABASE_URL: databaseUrl,
          PROVISIONING_FILE: p.file,
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(port),
          INSTANCE_ID: `replica-${name}`,
          LOG_LEVEL: 'warn',
          POOL_WRITER_TIMEOUT_MS: '8000',
          POOL_LOCK_POLL_MS: '100',
        },
      });
      proc.child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[replica-${name}] ${d.toString()}`));
      replicas.push({ proc, port });
    }
    bus = await NatsBus.connect(testNatsUrl(), 'cq-writer-crash');
    await eventually('both replicas up', async () => (await Promise.all(replicas.map(({ port }) => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok)))).every(Boolean), 30_000);
  });
  afterAll(async () => {
    await bus?.close();
    await Promise.all(replicas.map(({ proc }) => proc.stop()));
  });

  /**
   * A request that reached the killed replica is lost with it: the caller (sip-edge) asks again
   * for the same leg, which is safe because a reserve of a leg that holds its channel is a no-op.
   */
  const reserveLikeSipEdge = async (legId: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await bus.request(CHANNEL_QUOTA_RESERVE, trunkLeg(legId), reserveChannelReplySchema, { timeoutMs: 2_000 });
      } catch (e) {
        const retry = e instanceof RemoteError && (e.code === 'TRANSPORT.TIMEOUT' || e.code === 'QUOTA.UNAVAILABLE');
        if (!retry || attempt === 4) throw e;
      }
    }
  };

  const isWriter = async (port: number) => /^pbx_channel_quota_writer(\{[^}]*\})? 1$/m.test(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());

  it('the other replica takes the pool over from the store: held channels survive, and the limit holds', async () => {
    for (let i = 0; i < 6; i++) await bus.request(CHANNEL_QUOTA_RESERVE, trunkLeg(`before-${i}`), reserveChannelReplySchema, { timeoutMs: 10_000 });
    const writer = await eventually('a writer', async () => {
      for (const r of replicas) if (await isWriter(r.port)) return r;
      return undefined;
    });
    const survivor = replicas.find((r) => r !== writer);

    writer.proc.child.kill('SIGKILL');
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => reserveLikeSipEdge(`after-${i}`)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(LIMIT - 6);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as RemoteError] : []));
    expect(refused.map((e) => e.code)).toEqual(Array.from({ length: 20 - (LIMIT - 6) }, () => 'QUOTA.EXCEEDED'));
    expect(await isWriter(survivor?.port ?? 0)).toBe(true);

    const usage = await bus.request(CHANNEL_QUOTA_USAGE, {}, usageReplySchema);
    expect(usage.pools.channel.held).toBe(LIMIT);
    expect(usage.legs.filter((l) => l.legId.startsWith('before-'))).toHaveLength(6);
    expect(peakHeld(await readPoolEvents(databaseUrl, serverId))).toBe(LIMIT);
  });
});
