import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { screenshotDir, webDir } from './paths';
import { startServer } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the running server. */
    baseUrl: string;
  }
}

/**
 * A production build in its own process: inside Vitest NODE_ENV is "test", which would
 * otherwise give a development build of React.
 */
function buildWebApp(): void {
  const viteBin = path.join(webDir, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], {
    cwd: webDir,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status})`);
}

export default async function setup(project: TestProject) {
  mkdirSync(screenshotDir, { recursive: true });
  buildWebApp();
  const server = await startServer();
  project.provide('baseUrl', server.baseUrl);
  return () => server.stop();
}
