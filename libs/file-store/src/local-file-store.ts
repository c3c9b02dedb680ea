import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { assertValidKey, FILE_STORE_ERRORS, FileStore, FileStoreError, FileUpload, StoredFile } from './file-store';

/** Temp files live here, inside the root (so rename stays on one filesystem) where no key can point. */
const TEMP_DIR = '.tmp';

/**
 * FileStore on a local folder (the default, ARCHITECTURE.md "async-search"). Writes go to
 * `<root>/.tmp/<random>.part`, are fsynced, then renamed over `<root>/<key>`: rename is atomic
 * on POSIX, so readers see either the old file, the new one or none, never a partial one.
 */
export class LocalFileStore implements FileStore {
  readonly rootDir: string;

  constructor(rootDir: string) {
    this.rootDir = resolve(rootDir);
  }

  /** Absolute path of a key, refusing anything that would leave the root (defence in depth). */
  pathOf(key: string): string {
    assertValidKey(key);
    const p = resolve(this.rootDir, key);
    const rel = relative(this.rootDir, p);
    if (rel.startsWith('..') || rel.startsWith(sep) || rel === '') {
      throw new FileStoreError(FILE_STORE_ERRORS.invalidKey, `file key ${JSON.stringify(key)} leaves the store`, key);
    }
    return p;
  }

  async createWriteStream(key: string): Promise<FileUpload> {
    const target = this.pathOf(key);
    const tempDir = join(this.rootDir, TEMP_DIR);
    await mkdir(tempDir, { recursive: true });
    const temp = join(tempDir, `${randomBytes(8).toString('hex')}.part`);
    // `flush` fsyncs before close, so the renamed file is durable, not just visible.
    const stream = createWriteStream(temp, { flags: 'wx', flush: true });
    let state: 'open' | 'committed' | 'aborted' = 'open';
    const opened = new Promise<void>((ok, fail) => {
      stream.once('open', () => ok());
      stream.once('error', fail);
    });
    await opened;

    const abort = async (): Promise<void> => {
      if (state !== 'open') return;
      state = 'aborted';
      stream.destroy();
      await finished(stream).catch(() => undefined);
      await rm(temp, { force: true });
    };

    const commit = async (): Promise<StoredFile> => {
      if (state !== 'open') throw new FileStoreError(FILE_STORE_ERRORS.uploadClosed, `upload of ${key} was already ${state}`, key);
      try {
        if (stream.errored) throw stream.errored;
        if (!stream.writableEnded) stream.end();
        await finished(stream);
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
        state = 'committed';
        await fsyncDir(dirname(target));
        const s = await stat(target);
        return { key, size: s.size, modifiedAt: s.mtime };
      } catch (e) {
        if (state === 'open') await abort();
        throw e;
      }
    };

    return { key, stream, commit, abort };
  }

  async write(key: string, source: Readable | AsyncIterable<string | Uint8Array>): Promise<StoredFile> {
    const upload = await this.createWriteStream(key);
    try {
      await pipeline(source instanceof Readable ? source : Readable.from(source), upload.stream, { end: false });
      upload.stream.end();
      return await upload.commit();
    } catch (e) {
      await upload.abort();
      throw e;
    }
  }

  async openReadStream(key: string, range: { start?: number; end?: number } = {}): Promise<Readable> {
    const p = this.pathOf(key);
    try {
      const fh = await open(p, 'r');
      if (!(await fh.stat()).isFile()) {
        await fh.close();
        throw notFound(key); // a folder of other keys is not a file
      }
      // The handle keeps reading the file it opened even if a newer version is renamed over it.
      return fh.createReadStream({ start: range.start, end: range.end, autoClose: true });
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR') || isErrno(e, 'EISDIR')) throw notFound(key);
      throw e;
    }
  }

  async stat(key: string): Promise<StoredFile | undefined> {
    const p = this.pathOf(key);
    try {
      const s = await stat(p);
      if (!s.isFile()) return undefined;
      return { key, size: s.size, modifiedAt: s.mtime };
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<boolean> {
    const p = this.pathOf(key);
    try {
      await unlink(p);
      return true;
    } catch (e) {
      if (isErrno(e, 'ENOENT') || isErrno(e, 'ENOTDIR')) return false;
      if (isErrno(e, 'EISDIR') || isErrno(e, 'EPERM')) return false; // a folder of other keys, not a file
      throw e;
    }
  }

  /**
   * Removes temp files older than `olderThanMs`: what writers that died before commit or
   * abort (SIGKILL, power loss) left behind. Returns how many it removed.
   */
  async sweepTemp(olderThanMs: number, now = Date.now()): Promise<number> {
    const dir = join(this.rootDir, TEMP_DIR);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return 0;
      throw e;
    }
    let removed = 0;
    for (const n of names) {
      const p = join(dir, n);
      const s = await stat(p).catch(() => undefined);
      if (s && now - s.mtimeMs >= olderThanMs) {
        await rm(p, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

function notFound(key: string): FileStoreError {
  return new FileStoreError(FILE_STORE_ERRORS.notFound, `no file under ${JSON.stringify(key)}`, key);
}

function isErrno(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === code;
}

/** Makes a rename durable (the directory entry), best effort where the platform refuses. */
async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic
  } finally {
    await fh.close();
  }
}
