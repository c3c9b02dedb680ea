import { exportTestEnv, startTestInfra, TestInfra } from '../infra/test-infra';

declare global {
  // eslint-disable-next-line no-var
  var __pbxTestInfra: TestInfra | undefined;
}

/** Once per Jest run (STYLE.md "Integration"): real nats-server, PostgreSQL and rtpengine. */
export default async function globalSetup(): Promise<void> {
  const t0 = Date.now();
  const infra = await startTestInfra({ rtpengine: process.env.PBX_TEST_RTPENGINE !== 'off' });
  globalThis.__pbxTestInfra = infra;
  exportTestEnv(infra);
  process.stderr.write(`\n[pbx-testing] nats ${infra.nats.url}, postgres :${infra.postgres.port}${infra.rtpengine ? `, rtpengine ng :${infra.rtpengine.ngPort}` : ''} ready in ${Date.now() - t0} ms (${infra.dir})\n`);
}
