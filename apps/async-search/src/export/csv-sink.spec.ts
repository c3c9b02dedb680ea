import { PassThrough, Writable } from 'node:stream';
import { CsvSink } from './csv-sink';

describe('CsvSink', () => {
  it('writes in chunks of about chunkChars, and the rest on end', async () => {
    const writes: string[] = [];
    const out = new Writable({ write: (c: Buffer, _e, cb) => (writes.push(c.toString()), cb()) });
    const sink = new CsvSink(out, 10);
    for (const r of ['aaaa\r\n', 'bbbb\r\n', 'cc\r\n']) sink.push(r);
    expect(writes).toEqual(['aaaa\r\nbbbb\r\n']);
    await sink.end();
    expect(writes).toEqual(['aaaa\r\nbbbb\r\n', 'cc\r\n']);
  });
  it('settle waits for a stream over its high-water mark to drain', async () => {
    const out = new PassThrough({ highWaterMark: 4 });
    const sink = new CsvSink(out, 1);
    sink.push('0123456789');
    let settled = false;
    const p = sink.settle().then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    out.read();
    await p;
    expect(settled).toBe(true);
  });
  it('throws the stream’s error on settle', async () => {
    const out = new Writable({ write: (_c, _e, cb) => cb(new Error('disk full')) });
    const sink = new CsvSink(out, 1);
    sink.push('x');
    await new Promise((r) => setImmediate(r));
    await expect(sink.settle()).rejects.toThrow('disk full');
  });
});
