import type { Readable, Writable } from 'node:stream';

/**
 * Where result files live (async-search CSVs, SPEC S-3). A key is a relative path of safe
 * segments (see `assertValidKey`); the same key always names the same file, whatever the
 * implementation (a local folder now; an object store can implement this later).
 *
 * Publishing is atomic: a file is either absent or complete under its key, never half
 * written. A writer that dies before `commit()` leaves nothing under the key.
 */
export interface FileStore {
  /**
   * A write in progress: write to `stream`, then `commit()` publishes the file under `key`
   * (replacing an older one), or `abort()` throws the bytes away. The stream honours back-pressure.
   */
  createWriteStream(key: string): Promise<FileUpload>;
  /** Writes everything `source` yields and publishes it under `key` (createWriteStream + commit). */
  write(key: string, source: Readable | AsyncIterable<string | Uint8Array>): Promise<StoredFile>;
  /** Reads a published file; FILE_STORE.NOT_FOUND when there is none. `end` is inclusive (like HTTP ranges). */
  openReadStream(key: string, range?: { start?: number; end?: number }): Promise<Readable>;
  /** The file's size and publish time, or undefined when there is none. */
  stat(key: string): Promise<StoredFile | undefined>;
  /** Removes the file; false when there was none (deleting twice is not an error). */
  delete(key: string): Promise<boolean>;
}

export interface FileUpload {
  readonly key: string;
  readonly stream: Writable;
  /** Ends the stream, makes the bytes durable and publishes them under the key. */
  commit(): Promise<StoredFile>;
  /** Destroys the stream and removes the partial bytes. Safe to call after a failure or twice. */
  abort(): Promise<void>;
}

export interface StoredFile {
  key: string;
  size: number;
  modifiedAt: Date;
}

export const FILE_STORE_ERRORS = {
  invalidKey: 'FILE_STORE.INVALID_KEY',
  notFound: 'FILE_STORE.NOT_FOUND',
  uploadClosed: 'FILE_STORE.UPLOAD_CLOSED',
} as const;
export type FileStoreErrorCode = (typeof FILE_STORE_ERRORS)[keyof typeof FILE_STORE_ERRORS];

export class FileStoreError extends Error {
  override readonly name = 'FileStoreError';
  constructor(
    readonly code: FileStoreErrorCode,
    message: string,
    readonly key?: string,
  ) {
    super(message);
  }
}

export function isFileStoreError(e: unknown, code?: FileStoreErrorCode): e is FileStoreError {
  return e instanceof FileStoreError && (code === undefined || e.code === code);
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const MAX_KEY_LENGTH = 512;
export const MAX_KEY_DEPTH = 8;

/**
 * Keys are `seg(/seg)*`, each segment starting with a letter or digit and holding only
 * `A-Z a-z 0-9 . _ -`: no absolute paths, no `..`, no backslashes, no hidden names (the local
 * store keeps its temp files under a dot folder no key can reach), no NUL. Everything an
 * object store accepts too, so keys stay portable.
 */
export function assertValidKey(key: unknown): asserts key is string {
  const bad = (why: string): never => {
    throw new FileStoreError(FILE_STORE_ERRORS.invalidKey, `invalid file key ${JSON.stringify(String(key)).slice(0, 80)}: ${why}`, typeof key === 'string' ? key : undefined);
  };
  if (typeof key !== 'string' || key.length === 0) return bad('empty');
  if (key.length > MAX_KEY_LENGTH) return bad(`longer than ${MAX_KEY_LENGTH}`);
  const segments = key.split('/');
  if (segments.length > MAX_KEY_DEPTH) return bad(`deeper than ${MAX_KEY_DEPTH}`);
  for (const s of segments) {
    if (!SEGMENT.test(s)) return bad(`segment ${JSON.stringify(s)} must match ${SEGMENT.source}`);
  }
}
