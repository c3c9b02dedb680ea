// Compiles every app and library (not tests) to dist/ with SWC: decorator metadata on (NestJS),
// `@pbx/*` aliases rewritten to relative paths, so `node dist/apps/<svc>/src/main.js` runs
// with plain Node. Type checking is the `typecheck` target's job. Prints one progress line.
import { transformFile } from '@swc/core';
import { mkdir, readdir, writeFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { compilerOptions } = require(join(root, 'tsconfig.base.json'));
const { swcOptions } = require(join(root, 'tools/swc-options.cjs'));
const out = join(root, 'dist');

async function* sources(dir) {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name === 'test') continue;
      yield* sources(p);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

const t0 = Date.now();
await rm(join(out, 'apps'), { recursive: true, force: true });
await rm(join(out, 'libs'), { recursive: true, force: true });
const files = [];
for (const top of ['apps', 'libs']) for await (const f of sources(join(root, top))) if (f.includes('/src/')) files.push(f);

let done = 0;
const work = files.map(async (file) => {
  const { code, map } = await transformFile(file, {
    ...swcOptions({ baseUrl: root, paths: compilerOptions.paths }),
    sourceMaps: true,
    sourceFileName: relative(out, file),
  });
  const dest = join(out, relative(root, file)).replace(/\.ts$/, '.js');
  await mkdir(dirname(dest), { recursive: true });
  await writeFile(dest, `${code}\n//# sourceMappingURL=${dest.split('/').pop()}.map\n`);
  if (map) await writeFile(`${dest}.map`, map);
  done++;
});
await Promise.all(work);
process.stdout.write(`build: ${done} files compiled to dist/ in ${Date.now() - t0} ms\n`);
