import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { openDatabase } from '../../../src/store/sqlite/open.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sqliteTestData } from '../../../src/store/sqlite/test-data.ts';
import type { TestData } from '../../../src/store/test-data.ts';
import type { Store } from '../../../src/store/types.ts';
import { call, type CallOptions, type JsonResponse } from './client.ts';

export const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The real server as its own process (`node --import tsx src/main.ts`), on 127.0.0.1:0. */
export interface ServerProcess {
  baseUrl: string;
  pid: number;
  /** When the process was spawned and when it printed its listening line (Date.now()). */
  spawnedAt: number;
  readyAt: number;
  output: () => string;
  /** SIGKILL, resolved once the process is gone. */
  kill9: () => Promise<void>;
  /** SIGTERM (graceful), resolved once the process is gone. */
  stop: () => Promise<void>;
  /** How the process ended (resolves when it does). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServerProcess(
  dataDir: string,
  env: Record<string, string> = {},
  timeoutMs = 30_000,
  /** `ulimit -n` for the server process, to run it short of file descriptors. */
  fdLimit?: number,
): Promise<ServerProcess> {
  const spawnedAt = Date.now();
  const [command, args] =
    fdLimit === undefined
      ? [process.execPath, ['--import', 'tsx', 'src/main.ts']]
      : [
          'bash',
          ['-c', `ulimit -n ${fdLimit} && exec "$0" --import tsx src/main.ts`, process.execPath],
        ];
  const child: ChildProcess = spawn(command, args, {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      WEB_DIST_DIR: path.join(dataDir, 'no-web'),
      BCRYPT_COST: '4',
      LOG_LEVEL: 'warn',
      VIDEO_RENDERER: 'ffmpeg',
      STRIPE_EMULATOR_PORT: '0',
      METRICS_PORT: '0',
      RATE_LIMITS_DISABLED: 'true',
      MAX_CONNECTIONS_PER_IP: '0',
      // Most tests queue many videos per user at once; the per-user caps have their own tests.
      VIDEO_MAX_QUEUED_PER_USER: '100000',
      VIDEO_MAX_RUNNING_PER_USER: '16',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exitStatus = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => {
      if (child.exitCode !== null || child.signalCode !== null)
        resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once('exit', (code, signal) => resolve({ code, signal }));
    },
  );
  const exited = exitStatus.then(() => undefined);
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  const readyAt = Date.now();
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    baseUrl,
    pid: child.pid!,
    spawnedAt,
    readyAt,
    output: () => out,
    kill9: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
    exited: exitStatus,
  };
}

/** `pnpm ledger:verify <file>` (the CLI itself): exit code and report. */
export function runLedgerVerify(dbFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/ledger-verify.ts', dbFile], {
      cwd: serverDir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/**
 * A server process plus the test's own connection to its database file (WAL allows both):
 * fixtures go through the store's ledger writer, checks read the same file.
 */
export interface ProcessWorld {
  dir: string;
  dbFile: string;
  proc: ServerProcess;
  store: Store;
  data: TestData;
  call: (method: string, urlPath: string, o?: CallOptions) => Promise<JsonResponse>;
  signup: () => Promise<{ id: string; token: string }>;
  grant: (userId: string, amount: number) => Promise<void>;
  balance: (userId: string) => Promise<number>;
  restart: (o?: { kill?: boolean }) => Promise<void>;
  assertInvariants: () => Promise<void>;
  close: () => Promise<void>;
}

let signups = 0;

export async function startProcessWorld(env: Record<string, string> = {}): Promise<ProcessWorld> {
  const dir = mkdtempSync(path.join(tmpdir(), 'battery-proc-'));
  const dbFile = path.join(dir, 'credits.db');
  const world: ProcessWorld = {
    dir,
    dbFile,
    proc: await startServerProcess(dir, env),
    store: undefined as unknown as Store,
    data: undefined as unknown as TestData,
    call: (method, urlPath, o) => call(world.proc.baseUrl, method, urlPath, o),
    async signup() {
      signups += 1;
      const res = await world.call('POST', '/api/auth/signup', {
        body: {
          email: `p${signups}-${Date.now()}@example.com`,
          password: 'correct horse battery',
          name: `Process ${signups}`,
        },
      });
      expect(res.status, res.text).toBe(201);
      const body = res.body as { token: string; user: { id: string } };
      return { id: body.user.id, token: body.token };
    },
    grant: (userId, amount) => world.data.grantCredits({ userId, amount }),
    balance: (userId) => world.data.balanceOf({ userId }),
    async restart(o = {}) {
      await (o.kill ? world.proc.kill9() : world.proc.stop());
      world.proc = await startServerProcess(dir, env);
    },
    async assertInvariants() {
      expect(await world.store.verifyInvariants()).toEqual([]);
    },
    async close() {
      await world.proc.stop();
      await world.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // The server created and migrated the file; this connection only reads and adds fixtures.
  const store = new SqliteStore(openDatabase(dbFile));
  world.store = store;
  world.data = sqliteTestData(store);
  return world;
}
