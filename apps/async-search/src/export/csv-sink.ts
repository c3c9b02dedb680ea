import type { Writable } from 'node:stream';

/**
 * Collects CSV text and writes it to a stream in chunks of about `chunkChars` characters:
 * small enough to stay out of V8's large-object space, large enough to keep writes few.
 * `push` never waits (called per row, inside a FETCH); `settle` waits for the stream to drain,
 * so what sits in memory is bounded by one FETCH batch plus the stream's buffer.
 */
export class CsvSink {
  private buf = '';
  private error: unknown;

  constructor(
    private readonly out: Writable,
    private readonly chunkChars = 64 * 1024,
  ) {
    out.on('error', (e) => (this.error ??= e));
  }

  push(text: string): void {
    this.buf += text;
    if (this.buf.length >= this.chunkChars) this.flush();
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    this.out.write(this.buf);
    this.buf = '';
  }

  /** Throws the stream's error, if it had one; waits while the stream is over its high-water mark. */
  async settle(): Promise<void> {
    this.check();
    if (this.out.writableNeedDrain) {
      await new Promise<void>((ok, fail) => {
        const onDrain = () => {
          this.out.off('error', onError);
          ok();
        };
        const onError = (e: unknown) => {
          this.out.off('drain', onDrain);
          fail(e);
        };
        this.out.once('drain', onDrain);
        this.out.once('error', onError);
      });
    }
    this.check();
  }

  /** Writes what is left and settles. */
  async end(): Promise<void> {
    this.flush();
    await this.settle();
  }

  private check(): void {
    if (this.error !== undefined) throw this.error;
  }
}
