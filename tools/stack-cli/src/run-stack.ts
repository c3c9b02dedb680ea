import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@pbx/contracts';
import { migrateEventStore } from '@pbx/event-store';
import { parseProvisioning } from '@pbx/provisioning';
import { migrateReadModels } from '@pbx/read-models';
import { ensureDatabase, ManagedProcess, startNats, startPostgres, startProcess, startRtpengine, waitFor } from '@pbx/testing';
import { applyProvisioningFile, describeApply } from './provision';
import { logDir, repoRoot, servicePorts, StackConfig, StackState, statePath } from './stack-config';

const say = (msg: string): void => {
  process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'stack', msg })}\n`);
};

/**
 * Runs the whole server in this process's care: infrastructure (unless external URLs are
 * given), migrations, provisioning check and apply, then every service; stops all of it on
 * SIGTERM/SIGINT.
 */
export async function runStack(c: StackConfig, opts: { echo: boolean }): Promise<void> {
  mkdirSync(logDir(c), { recursive: true });
  const parts: ManagedProcess[] = [];
  const state: StackState = { pid: process.pid, phase: 'starting', startedAt: new Date().toISOString(), natsUrl: '', databaseUrl: '', parts: [] };
  const save = () => writeFileSync(statePath(c), JSON.stringify(state, null, 2));
  save();

  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    state.phase = 'stopping';
    save();
    say('stopping services');
    const services = parts.filter((p) => SERVICE_NAMES.includes(p.name as never));
    await Promise.all(services.map((p) => p.stop(15_000)));
    say('stopping infrastructure');
    await Promise.all(parts.filter((p) => !services.includes(p)).map((p) => p.stop(10_000)));
    rmSync(statePath(c), { force: true });
    say('stopped');
    process.exit(code);
  };
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGINT', () => void stopAll(0));

  try {
    // 1. Provisioning first: a bad file stops everything before anything starts (SPEC B-3).
    const prov = parseProvisioning(readFileSync(c.provisioningFile, 'utf8'));
    if (!prov.ok) throw new Error(`provisioning file ${c.provisioningFile} rejected:\n${prov.errors.map((e) => `  - ${e.path}: ${e.message}`).join('\n')}`);
    say(`provisioning ${c.provisioningFile} is valid`);

    // 2. Infrastructure.
    const [nats, pg, rtp] = await Promise.all([
      c.natsUrl
        ? Promise.resolve({ url: c.natsUrl })
        : startNats({ port: c.natsPort, dataDir: join(c.dataDir, 'nats'), logFile: join(logDir(c), 'nats.log') }).then((n) => (parts.push(n.process), say(`nats-server on ${n.port}`), n)),
      c.databaseUrl
        ? Promise.resolve({ url: c.databaseUrl })
        : startPostgres({ port: c.pgPort, dataDir: join(c.dataDir, 'pg'), logFile: join(logDir(c), 'postgres.log'), fsync: true }).then(async (p) => {
            parts.push(p.process);
            say(`postgres on ${p.port}`);
            return { url: await ensureDatabase(p.adminUrl, 'pbx') };
          }),
      startRtpengine({ ngPort: c.rtpengineNgPort, dtmfPort: c.rtpengineDtmfPort, portMin: c.rtpPortMin, portMax: c.rtpPortMax, recordingDir: join(c.dataDir, 'recordings'), logFile: join(logDir(c), 'rtpengine.log') }).then(
        (r) => (parts.push(r.process), say(`rtpengine NG on ${r.ngPort}`), r),
      ),
    ]);
    state.natsUrl = nats.url;
    state.databaseUrl = pg.url;
    state.rtpengineNg = `127.0.0.1:${rtp.ngPort}`;

    // 3. Migrations.
    await migrateEventStore(pg.url);
    await migrateReadModels(pg.url);
    say('migrations applied');

    // 4. The boot file is applied like `tools/stack provision` does (one event, unless it is
    //    already the document in force), so the store always holds what the services run.
    const applied = await applyProvisioningFile(c.provisioningFile, prov.provisioning, { databaseUrl: pg.url, serverId: prov.provisioning.server.id }, 'tools/stack up');
    for (const line of describeApply(c.provisioningFile, applied)) say(line.trim());
    state.serverId = applied.serverId;

    // 5. Services.
    const ports = servicePorts(c);
    for (const name of SERVICE_NAMES) {
      const main = join(repoRoot, 'dist/apps', name, 'src/main.js');
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NATS_URL: nats.url,
        DATABASE_URL: pg.url,
        HTTP_PORT: String(ports[name]),
        HTTP_HOST: name === 'api-gateway' ? '0.0.0.0' : '127.0.0.1',
        LOG_LEVEL: c.logLevel,
        PROVISIONING_FILE: c.provisioningFile,
        SIP_UDP_PORT: String(c.sipPort),
        SIP_TCP_PORT: String(c.sipPort),
        RTPENGINE_NG: state.rtpengineNg,
        // sip-edge reads rtpengine's DTMF reports there (rtpengine's --dtmf-log-dest)
        DTMF_LISTEN_PORT: String(rtp.dtmfPort),
      };
      const proc = startProcess(name, process.execPath, ['--enable-source-maps', main], { env, logFile: join(logDir(c), `${name}.log`), echo: opts.echo ? process.stdout : undefined });
      parts.push(proc);
      state.parts.push({ name, pid: proc.child.pid, healthUrl: `http://127.0.0.1:${ports[name]}/health` });
      proc.child.once('exit', (code, signal) => {
        if (!stopping) {
          say(`${name} exited (${code ?? signal}); stopping the stack`);
          void stopAll(1);
        }
      });
    }
    save();
    await Promise.all(
      state.parts.map((p) =>
        waitFor(`${p.name} healthy`, async () => (await fetch(p.healthUrl!)).status === 200, 60_000).then(() => say(`${p.name} healthy`)),
      ),
    );
    state.phase = 'up';
    save();
    say(`all ${SERVICE_NAMES.length} services healthy; SIP ${c.sipPort}, HTTP ${c.httpPort}`);
  } catch (e) {
    state.phase = 'failed';
    state.error = e instanceof Error ? e.message : String(e);
    save();
    process.stderr.write(`${state.error}\n`);
    await stopAll(1);
  }
}
