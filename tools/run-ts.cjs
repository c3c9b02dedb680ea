// Require hook: runs TypeScript sources directly (benches, tools, test fixtures, dev runs).
// Compiles each .ts file with SWC (decorator metadata on, for NestJS) and resolves the
// `@pbx/*` path aliases of tsconfig.base.json. Usage: node --require ./tools/run-ts.cjs file.ts
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const { transformSync } = require('@swc/core');
const { swcOptions } = require('./swc-options.cjs');

const root = path.join(__dirname, '..');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
const aliases = new Map(Object.entries(compilerOptions.paths).map(([k, [v]]) => [k, path.join(root, v)]));

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const target = aliases.get(request);
  return resolve.call(this, target ?? request, parent, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...swcOptions(), filename, sourceMaps: 'inline' });
  module._compile(code, filename);
};
