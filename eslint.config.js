import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/data/**', 'test-results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through apps/server/src/config.ts only.',
        },
      ],
    },
  },
  // The layers: services hold the rules (no HTTP, no driver, no adapter), routes hold HTTP
  // (no store at all: they call services).
  {
    files: ['apps/server/src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'express', message: 'Services know nothing of HTTP.' },
            { name: 'better-sqlite3', message: 'SQL lives in the store adapters only.' },
            { name: 'pg', message: 'SQL lives in the store adapters only.' },
          ],
          patterns: [
            {
              group: ['**/store/sqlite/**', '**/store/pg/**'],
              message: 'Services see the Store interface (store/types.ts), never an adapter.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/server/src/routes/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', message: 'Routes call services.' },
            { name: 'pg', message: 'Routes call services.' },
          ],
          patterns: [{ group: ['**/store/**'], message: 'Routes call services, never the store.' }],
        },
      ],
    },
  },
  {
    files: [
      'apps/server/src/config.ts',
      '**/test/**',
      '**/e2e/**',
      '**/bench/**',
      '**/*.config.ts',
      'packages/stripe-emulator/src/cli.ts',
      'scripts/**',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
