// Shared Jest settings. TypeScript is compiled by SWC (decorator metadata on, for NestJS);
// type checking is the `typecheck` target's job, not Jest's.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const root = __dirname;
const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace('/', '\\/')}$`] = path.join(root, target);
}

const { swcOptions } = require('./tools/swc-options.cjs');

const swc = ['@swc/jest', { ...swcOptions(), sourceMaps: 'inline' }];

/** @param {string} projectRoot  @param {'unit'|'int'} kind */
function jestConfig(projectRoot, kind) {
  const rel = path.relative(root, projectRoot);
  const base = {
    displayName: `${rel}:${kind}`,
    rootDir: root,
    roots: [`<rootDir>/${rel}`],
    testEnvironment: 'node',
    transform: { '^.+\\.(t|j|mj)sx?$': swc },
    // sip.js and a few others are ESM-only: let SWC turn them into CommonJS (PLATFORM.md).
    transformIgnorePatterns: ['/node_modules/(?!(sip\\.js)/)'],
    moduleNameMapper,
    moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  };
  if (kind === 'unit') {
    return { ...base, testMatch: ['**/*.spec.ts'], testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '/node_modules/'] };
  }
  return {
    ...base,
    testMatch: ['**/*.int.spec.ts'],
    globalSetup: path.join(root, 'libs/testing/src/jest/global-setup.ts'),
    globalTeardown: path.join(root, 'libs/testing/src/jest/global-teardown.ts'),
    testTimeout: 60_000,
  };
}

module.exports = { jestConfig, swcTransform: swc };
