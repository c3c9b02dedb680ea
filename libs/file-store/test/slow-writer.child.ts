// Child process of local-file-store.int.spec.ts: starts an upload, writes a chunk every few
// milliseconds and reports on stdout, never commits. The test SIGKILLs it mid-write.
import { LocalFileStore } from '../src';

async function main(): Promise<void> {
  const [root, key] = process.argv.slice(2);
  const up = await new LocalFileStore(root).createWriteStream(key);
  let n = 0;
  setInterval(() => {
    up.stream.write(`row ${n++}\n`);
    if (n === 50) process.stdout.write('written\n');
  }, 2);
}
void main();
