import { mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { assertValidKey, FILE_STORE_ERRORS, isFileStoreError, LocalFileStore } from './index';

async function readAll(r: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isFileStoreError(e) ? e.code : `not a FileStoreError: ${String(e)}`;
  }
}

describe('assertValidKey', () => {
  it.each(['a.csv', 'async-search/0f3e.csv', 'a/b/c/d_e-f.1.csv', 'X'])('accepts %s', (k) => {
    expect(() => assertValidKey(k)).not.toThrow();
  });
  it.each([
    ['', 'empty'],
    ['../etc/passwd', 'parent'],
    ['a/../../b', 'parent in the middle'],
    ['/etc/passwd', 'absolute'],
    ['a//b', 'empty segment'],
    ['a/', 'trailing slash'],
    ['.tmp/x.part', 'hidden (the temp folder)'],
    ['a\\b', 'backslash'],
    ['a\0b', 'NUL'],
    ['a b', 'space'],
    ['ä.csv', 'non-ASCII'],
    ['a/'.repeat(8) + 'b', 'too deep'],
    ['x'.repeat(513), 'too long'],
  ])('refuses %j (%s) with FILE_STORE.INVALID_KEY', (k) => {
    let thrown: unknown;
    try {
      assertValidKey(k);
    } catch (e) {
      thrown = e;
    }
    expect(isFileStoreError(thrown, FILE_STORE_ERRORS.invalidKey)).toBe(true);
  });
  it('refuses non-strings', () => expect(() => assertValidKey(42)).toThrow(/invalid file key/));
});

describe('LocalFileStore', () => {
  let root: string;
  let store: LocalFileStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'file-store-'));
    store = new LocalFileStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('writes a stream, then reads, stats and deletes it', async () => {
    const written = await store.write('jobs/a.csv', Readable.from(['hello,', 'world\n']));
    expect(written).toMatchObject({ key: 'jobs/a.csv', size: 12 });
    expect(await readAll(await store.openReadStream('jobs/a.csv'))).toBe('hello,world\n');
    expect(await store.stat('jobs/a.csv')).toMatchObject({ key: 'jobs/a.csv', size: 12 });
    expect(await store.delete('jobs/a.csv')).toBe(true);
    expect(await store.delete('jobs/a.csv')).toBe(false);
    expect(await store.stat('jobs/a.csv')).toBeUndefined();
    expect(await code(store.openReadStream('jobs/a.csv'))).toBe(FILE_STORE_ERRORS.notFound);
  });

  it('accepts an async iterable of strings and bytes', async () => {
    async function* gen() {
      yield '\ufeffa';
      yield new Uint8Array([0x2c, 0x62]);
    }
    await store.write('x.csv', gen());
    expect(await readFile(join(root, 'x.csv'), 'utf8')).toBe('\ufeffa,b');
  });

  it('reads a byte range (inclusive end, like HTTP ranges)', async () => {
    await store.write('r.txt', Readable.from(['0123456789']));
    expect(await readAll(await store.openReadStream('r.txt', { start: 2, end: 5 }))).toBe('2345');
    expect(await readAll(await store.openReadStream('r.txt', { start: 8 }))).toBe('89');
  });

  it('publishes nothing under the key until commit, and replaces atomically', async () => {
    await store.write('k.csv', Readable.from(['old']));
    const up = await store.createWriteStream('k.csv');
    up.stream.write('new-partial');
    // the old version is still what readers see
    expect(await readAll(await store.openReadStream('k.csv'))).toBe('old');
    up.stream.write('-complete');
    const f = await up.commit();
    expect(f.size).toBe('new-partial-complete'.length);
    expect(await readAll(await store.openReadStream('k.csv'))).toBe('new-partial-complete');
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
  });

  it('abort leaves no file and no temp file; commit after abort says so', async () => {
    const up = await store.createWriteStream('gone.csv');
    up.stream.write('abc');
    await up.abort();
    await up.abort(); // twice is harmless
    expect(await store.stat('gone.csv')).toBeUndefined();
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    expect(await code(up.commit())).toBe(FILE_STORE_ERRORS.uploadClosed);
  });

  it('a failing source publishes nothing and cleans its temp file', async () => {
    async function* failing() {
      yield 'row1\n';
      throw new Error('cursor broke');
    }
    await expect(store.write('f.csv', failing())).rejects.toThrow('cursor broke');
    expect(await store.stat('f.csv')).toBeUndefined();
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
  });

  it('refuses unsafe keys on every operation, before touching the disk', async () => {
    for (const k of ['../outside.csv', '/abs.csv', '.tmp/x']) {
      expect(await code(store.write(k, Readable.from(['x'])))).toBe(FILE_STORE_ERRORS.invalidKey);
      expect(await code(store.createWriteStream(k))).toBe(FILE_STORE_ERRORS.invalidKey);
      expect(await code(store.openReadStream(k))).toBe(FILE_STORE_ERRORS.invalidKey);
      expect(await code(store.stat(k))).toBe(FILE_STORE_ERRORS.invalidKey);
      expect(await code(store.delete(k))).toBe(FILE_STORE_ERRORS.invalidKey);
    }
    expect(await readdir(root)).toEqual([]);
  });

  it('treats a folder of keys as no file', async () => {
    await store.write('dir/a.csv', Readable.from(['a']));
    expect(await store.stat('dir')).toBeUndefined();
    expect(await store.delete('dir')).toBe(false);
    expect(await code(store.openReadStream('dir'))).toBe(FILE_STORE_ERRORS.notFound);
    expect(await store.stat('dir/a.csv/b')).toBeUndefined();
  });

  it('pathOf stays inside the root even through a symlinked root', async () => {
    const link = `${root}-link`;
    await symlink(root, link);
    try {
      const s = new LocalFileStore(link);
      expect(s.pathOf('a/b.csv')).toBe(join(link, 'a/b.csv'));
    } finally {
      await rm(link, { force: true });
    }
  });

  it('sweepTemp removes temp files older than the limit only', async () => {
    await mkdir(join(root, '.tmp'), { recursive: true });
    await writeFile(join(root, '.tmp', 'old.part'), 'x');
    await writeFile(join(root, '.tmp', 'new.part'), 'y');
    const past = new Date(Date.now() - 3_600_000);
    await utimes(join(root, '.tmp', 'old.part'), past, past);
    expect(await store.sweepTemp(60_000)).toBe(1);
    expect(await readdir(join(root, '.tmp'))).toEqual(['new.part']);
    expect(await new LocalFileStore(join(root, 'nothing-here')).sweepTemp(0)).toBe(0);
  });
});
