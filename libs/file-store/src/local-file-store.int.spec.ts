import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalFileStore } from './index';

const repoRoot = join(__dirname, '../../..');

describe('LocalFileStore with a writer that is SIGKILLed mid-write', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'file-store-int-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('publishes nothing, keeps the previous version readable, and the sweep removes the orphan temp file', async () => {
    const store = new LocalFileStore(root);
    await store.write('jobs/r.csv', Readable.from(['previous\n']));

    const child = spawn(process.execPath, ['--require', join(repoRoot, 'tools/run-ts.cjs'), join(__dirname, '../test/slow-writer.child.ts'), root, 'jobs/r.csv'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((ok) => child.once('exit', (_code, signal) => ok(signal)));
    await new Promise<void>((ok, fail) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('written') && ok());
      child.once('exit', (code) => fail(new Error(`writer exited early (${code})`)));
    });
    const temps = await readdir(join(root, '.tmp'));
    expect(temps).toHaveLength(1); // the half-written upload exists only as a temp file
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const chunks: Buffer[] = [];
    for await (const c of await store.openReadStream('jobs/r.csv')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('previous\n');
    expect(await store.sweepTemp(0)).toBe(1);
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
  });
});
