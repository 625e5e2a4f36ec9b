import { defineConfig } from 'vitest/config';

// Real Chromium against the real server: one file at a time, generous timeouts because the
// global setup builds the app and the server renders actual videos with ffmpeg.
export default defineConfig({
  test: {
    name: 'web-e2e',
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/support/global-setup.ts'],
    testTimeout: 120000,
    hookTimeout: 180000,
    fileParallelism: false,
  },
});
