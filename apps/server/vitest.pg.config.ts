import { defineConfig } from 'vitest/config';

/**
 * The suites that need PostgreSQL: the store contract (both adapters) and the multi-instance
 * battery. The global setup starts a throwaway cluster for the run and fails loudly when the
 * server binaries are missing (never skips).
 */
export default defineConfig({
  test: {
    name: 'server-pg',
    include: ['test/store/contract/**/*.test.ts', 'test/**/*.pg.test.ts'],
    globalSetup: ['test/pg/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
