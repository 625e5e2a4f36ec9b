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
  // The layers: services hold the rules (no HTTP, no driver, no adapter, no environment),
  // routes hold HTTP (no store at all: they call services). Type imports count too: a
  // service typed against `Request` or an adapter class already depends on it.
  {
    files: ['apps/server/src/services/**/*.{ts,mts,js,mjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            // Packages and their subpaths by name (a regex: a glob like `pg-*` would also
            // match any local file named `pg-….ts`).
            { regex: '^(express|supertest)([-/]|$)', message: 'Services know nothing of HTTP.' },
            {
              regex: '^(better-sqlite3|pg)([-/]|$)',
              message: 'SQL lives in the store adapters only.',
            },
            {
              group: ['**/store/sqlite', '**/store/sqlite/**', '**/store/pg', '**/store/pg/**'],
              message: 'Services see the Store interface (store/types.ts), never an adapter.',
            },
            {
              group: ['**/http/**', '**/routes/**', '**/app.ts', '**/app-deps.ts'],
              message: 'Services know nothing of HTTP: the HTTP layer calls them, not the reverse.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Services read configuration from ctx.config (built in src/config.ts).',
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
          patterns: [
            {
              group: ['**/store', '**/store/**'],
              message: 'Routes call services, never the store.',
            },
            { regex: '^(better-sqlite3|pg)([-/]|$)', message: 'Routes call services.' },
          ],
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
