import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { screenshotDir, serverDir, serverMain, webDir, webDist } from './paths';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the running server. */
    baseUrl: string;
  }
}

const START_TIMEOUT_MS = 90_000;

/** Waits for the server's "listening on http://127.0.0.1:<port>" line. */
function waitForListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      reject(new Error(`server did not start within ${START_TIMEOUT_MS} ms\n${stdout}\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace(/\/$/, ''));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(`[server] ${chunk.toString()}`);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening\n${stdout}\n${stderr}`));
    });
  });
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

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export default async function setup(project: TestProject) {
  mkdirSync(screenshotDir, { recursive: true });
  buildWebApp();

  const dataDir = mkdtempSync(path.join(tmpdir(), 'web-e2e-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // No Stripe keys: the server must run its bundled Stripe emulator.
    if (!key.startsWith('STRIPE_')) env[key] = value;
  }
  Object.assign(env, {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    BCRYPT_COST: '4',
    VIDEO_RENDERER: 'ffmpeg',
    WEB_DIST_DIR: webDist,
    LOG_LEVEL: 'warn',
    // Any free port for the bundled emulator, so parallel servers on this machine never clash.
    STRIPE_EMULATOR_PORT: '0',
  });
  const child = spawn(process.execPath, ['--import', 'tsx', serverMain], {
    cwd: serverDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let baseUrl: string;
  try {
    baseUrl = await waitForListening(child);
  } catch (error) {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  project.provide('baseUrl', baseUrl);

  return async () => {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
