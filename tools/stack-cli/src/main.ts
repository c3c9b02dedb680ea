import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { provisionCommand } from './provision';
import { runStack } from './run-stack';
import { logDir, readStackConfig, repoRoot, StackState, statePath } from './stack-config';

const usage = `usage: tools/stack <command>
  up [--detach]          run the whole server (foreground, merged logs; --detach returns once healthy)
  down                   stop a detached stack and everything it started
  status                 show each part of a running stack
  provision FILE         validate a provisioning file and apply it to the running stack (one
                         event; services pick it up without restart); --check: validate only
  test                   install what is missing and run every test
  rebuild-projections    empty the history read models and replay the event store into them
                         (the running stack's database, or DATABASE_URL)`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const readState = (path: string): StackState | undefined => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as StackState) : undefined);

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(argv: string[]): Promise<number> {
  const c = readStackConfig();
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'up': {
      const running = readState(statePath(c));
      if (running && alive(running.pid)) {
        process.stderr.write(`a stack is already running (pid ${running.pid}); tools/stack down first\n`);
        return 1;
      }
      if (!rest.includes('--detach')) {
        await runStack(c, { echo: true });
        return new Promise<number>(() => undefined); // runs until a signal stops it
      }
      mkdirSync(logDir(c), { recursive: true });
      const logFile = join(logDir(c), 'stack.log');
      const out = openSync(logFile, 'a');
      const child = spawn(process.execPath, ['--require', join(repoRoot, 'tools/run-ts.cjs'), __filename, '__run'], { detached: true, stdio: ['ignore', out, out], env: process.env });
      child.unref();
      const pid = child.pid!;
      process.stdout.write(`stack starting (pid ${pid}); logs in ${logDir(c)}\n`);
      let last = '';
      try {
        await until('every service healthy', () => {
          if (!alive(pid)) throw new Error(`the stack stopped while starting; see ${logFile}:\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}`);
          const s = readState(statePath(c));
          const line = s ? `${s.phase}: ${s.parts.length} services launched` : 'starting infrastructure';
          if (line !== last) process.stdout.write(`  ${(last = line)}\n`);
          return s?.phase === 'up';
        }, 180_000);
      } catch (e) {
        process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
        if (alive(pid)) process.kill(pid, 'SIGTERM');
        return 1;
      }
      const s = readState(statePath(c))!;
      process.stdout.write(`stack up: ${s.parts.length} services healthy; NATS ${s.natsUrl}; PostgreSQL ${s.databaseUrl}; api-gateway ${s.parts.find((p) => p.name === 'api-gateway')?.healthUrl}\n`);
      return 0;
    }
    case '__run':
      await runStack(c, { echo: true });
      return new Promise<number>(() => undefined);
    case 'down': {
      const s = readState(statePath(c));
      if (!s || !alive(s.pid)) {
        process.stdout.write('no stack is running\n');
        return 0;
      }
      process.kill(s.pid, 'SIGTERM');
      process.stdout.write(`stopping stack (pid ${s.pid})…\n`);
      await until('the stack to stop', () => !alive(s.pid), 60_000).catch(() => process.kill(s.pid, 'SIGKILL'));
      process.stdout.write('stack down\n');
      return 0;
    }
    case 'status': {
      const s = readState(statePath(c));
      if (!s || !alive(s.pid)) {
        process.stdout.write('stack: not running\n');
        return 3;
      }
      process.stdout.write(`stack: ${s.phase} (pid ${s.pid}, since ${s.startedAt})\n  nats        ${s.natsUrl}\n  postgres    ${s.databaseUrl}\n  rtpengine   ${s.rtpengineNg}\n`);
      let bad = 0;
      for (const p of s.parts) {
        let status = 'down';
        try {
          const r = await fetch(p.healthUrl!, { signal: AbortSignal.timeout(2000) });
          status = ((await r.json()) as { status: string }).status;
        } catch {
          /* down */
        }
        if (status !== 'ok') bad++;
        process.stdout.write(`  ${p.name.padEnd(20)} pid ${String(p.pid).padEnd(8)} ${status.padEnd(9)} ${p.healthUrl}\n`);
      }
      return bad ? 1 : 0;
    }
    case 'provision': {
      const file = rest.find((a) => !a.startsWith('--'));
      if (!file) {
        process.stderr.write(`${usage}\n`);
        return 2;
      }
      // Apply to the running stack's database (or DATABASE_URL); the services follow the event.
      const s = readState(statePath(c));
      const running = s && alive(s.pid) ? s : undefined;
      const databaseUrl = c.databaseUrl ?? running?.databaseUrl;
      const target = databaseUrl ? { databaseUrl, ...(running?.serverId ? { serverId: running.serverId } : {}) } : undefined;
      const line = (stream: NodeJS.WriteStream) => (text: string) => stream.write(`${text}\n`);
      return provisionCommand(file, rest.includes('--check'), target, line(process.stdout), line(process.stderr));
    }
    case 'rebuild-projections': {
      // SPEC H-3: the replay itself is history-projector's (apps/history-projector/src/rebuild.ts).
      const s = readState(statePath(c));
      const databaseUrl = c.databaseUrl ?? (s && alive(s.pid) ? s.databaseUrl : undefined);
      if (!databaseUrl) {
        process.stderr.write('rebuild-projections: no stack is running (tools/stack up) and DATABASE_URL is not set\n');
        return 1;
      }
      // The build the stack runs (dist/), never rebuilt under running services; from source without one.
      const built = join(repoRoot, 'dist/apps/history-projector/src/rebuild.js');
      const args = existsSync(built) ? ['--enable-source-maps', built] : ['--require', join(repoRoot, 'tools/run-ts.cjs'), join(repoRoot, 'apps/history-projector/src/rebuild.ts')];
      // The provisioning names the server and its historyRetentionDays (SPEC K-5), as for the service
      const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, DATABASE_URL: databaseUrl, PROVISIONING_FILE: c.provisioningFile } });
      return new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
    }
    default:
      process.stderr.write(`${usage}\n`);
      return cmd ? 2 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
