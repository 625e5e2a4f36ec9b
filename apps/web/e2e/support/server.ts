import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverDir, serverMain, webDist } from './paths';

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

/**
 * The real server (main.ts) in its own process on a fresh data directory, serving the built
 * web app, with no Stripe keys so it runs its bundled emulator. `env` overrides settings for
 * a scenario (a short render timeout, say).
 */
export async function startServer(
  env: Record<string, string> = {},
): Promise<{ baseUrl: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'web-e2e-'));
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('STRIPE_')) childEnv[key] = value;
  }
  Object.assign(childEnv, {
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
    ...env,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', serverMain], {
    cwd: serverDir,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cleanUp = async () => {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    return { baseUrl: await waitForListening(child), stop: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
