import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Layering (STYLE.md): every project carries a type:* and a scope:* tag, and these rules
// say who may import whom. Domain libraries stay pure: no framework, driver or broker.
const infraPackages = ['@nestjs/*', 'typeorm', '@nestjs/typeorm', 'pg', 'nats', '@event-driven-io/*', 'fastify', 'pino', 'prom-client', 'ws'];


const appScopes = ['sip-edge', 'dialplan', 'channel-quota', 'federation-gateway', 'mobile-fmc', 'callback', 'callback-queue', 'call-center', 'history-projector', 'async-search', 'api-gateway'];

/** Who may import whom. Test files of infra libraries and apps may also use libs/testing. */
function boundaries(inTests) {
  const t = (tags) => (inTests ? [...tags, 'type:testing'] : tags);
  const layers = ['type:infra', 'type:contracts', 'type:domain', 'type:protocol'];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: infraPackages },
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'], bannedExternalImports: infraPackages },
      { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: ['type:protocol'], bannedExternalImports: infraPackages },
      { sourceTag: 'type:infra', onlyDependOnLibsWithTags: t(layers) },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: layers },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: t(layers) },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: [...layers, 'type:testing'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      ...appScopes.map((a) => ({ sourceTag: `scope:${a}`, onlyDependOnLibsWithTags: ['scope:shared', `scope:${a}`] })),
    ],
  };
}

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'tmp/**', '.nx/**', '**/*.cjs', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name='only']", message: 'No committed .only (STYLE.md)' }],
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
];
