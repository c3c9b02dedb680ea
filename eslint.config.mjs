import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Layering (STYLE.md): every project carries a type:* and a scope:* tag, and these rules
// say who may import whom. Domain libraries stay pure: no framework, driver or broker.
const infraPackages = ['@nestjs/*', 'typeorm', '@nestjs/typeorm', 'pg', 'nats', '@event-driven-io/*', 'fastify', 'pino', 'prom-client', 'ws'];

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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: infraPackages },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'], bannedExternalImports: infraPackages },
            { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: ['type:protocol'], bannedExternalImports: infraPackages },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', 'type:domain', 'type:protocol'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', 'type:domain', 'type:protocol'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', 'type:domain', 'type:protocol', 'type:testing'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:sip-edge', onlyDependOnLibsWithTags: ['scope:shared', 'scope:sip-edge'] },
            { sourceTag: 'scope:dialplan', onlyDependOnLibsWithTags: ['scope:shared', 'scope:dialplan'] },
            { sourceTag: 'scope:channel-quota', onlyDependOnLibsWithTags: ['scope:shared', 'scope:channel-quota'] },
            { sourceTag: 'scope:federation-gateway', onlyDependOnLibsWithTags: ['scope:shared', 'scope:federation-gateway'] },
            { sourceTag: 'scope:mobile-fmc', onlyDependOnLibsWithTags: ['scope:shared', 'scope:mobile-fmc'] },
            { sourceTag: 'scope:callback', onlyDependOnLibsWithTags: ['scope:shared', 'scope:callback'] },
            { sourceTag: 'scope:callback-queue', onlyDependOnLibsWithTags: ['scope:shared', 'scope:callback-queue'] },
            { sourceTag: 'scope:call-center', onlyDependOnLibsWithTags: ['scope:shared', 'scope:call-center'] },
            { sourceTag: 'scope:history-projector', onlyDependOnLibsWithTags: ['scope:shared', 'scope:history-projector'] },
            { sourceTag: 'scope:async-search', onlyDependOnLibsWithTags: ['scope:shared', 'scope:async-search'] },
            { sourceTag: 'scope:api-gateway', onlyDependOnLibsWithTags: ['scope:shared', 'scope:api-gateway'] },
            { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:infra', 'type:contracts', 'type:domain', 'type:protocol', 'type:testing'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
