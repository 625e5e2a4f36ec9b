import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StripeEmulator } from '@app/stripe-emulator';
import type Stripe from 'stripe';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import { expect } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createLimitedServer } from '../../src/http/server-limits.ts';
import type { AppDeps } from '../../src/app-deps.ts';
import { composeDeps } from '../../src/compose.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { newSession } from '../../src/services/auth/sessions.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { sqliteTestData } from '../../src/store/sqlite/test-data.ts';
import { WRITABLE_TABLES, type TestData } from '../../src/store/test-data.ts';
import type { Store } from '../../src/store/types.ts';
import { startStripeRuntime } from '../../src/stripe-runtime.ts';
import { createVideoWorker } from '../../src/video/create-worker.ts';
import { createNoopRenderer, type Renderer } from '../../src/video/renderers/index.ts';
import type { VideoWorker } from '../../src/video/worker.ts';

export interface Harness {
  dir: string;
  config: Config;
  store: Store;
  /** Test data written and read beside the store, never through a driver. */
  data: TestData;
  deps: AppDeps;
  app: Express;
  server: Server;
  baseUrl: string;
  stripe: Stripe;
  /** The bundled emulator the app talks to (tests drive faults and deliveries with it). */
  emulator: StripeEmulator;
  emulatorUrl: string;
  worker: VideoWorker;
  http: () => ReturnType<typeof request>;
  signup: (
    overrides?: Partial<{ email: string; password: string; name: string }>,
  ) => Promise<TestUser>;
  /**
   * Opens a session for the user straight in the store (as login does) and returns its id and
   * a token the server accepts. Tests that sign tokens by hand put `sid` in them: a token
   * without a live session row is refused.
   */
  startSession: (userId: string) => Promise<{ sessionId: string; token: string }>;
  assertInvariants: () => Promise<void>;
  close: () => Promise<void>;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  auth: { Authorization: string };
}

let counter = 0;

/** A fresh SQLite file built by the real migrations, the real app factory, real HTTP. */
export async function createHarness(
  env: Record<string, string> = {},
  options: { renderer?: Renderer; startWorker?: boolean; verifyOutput?: boolean } = {},
): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'credit-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dir,
    BCRYPT_COST: '4',
    RATE_LIMIT_SIGNUP_PER_IP: '100000',
    RATE_LIMIT_GENERATE_PER_MINUTE: '100000',
    RATE_LIMIT_PAYMENTS_PER_MINUTE: '100000',
    // Tests sign many users up at once from one address; the hashing cap has its own tests.
    BCRYPT_QUEUE_MAX: '10000',
    BCRYPT_QUEUE_MAX_PER_IP: '10000',
    RATE_LIMIT_API_PER_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_WRITES_PER_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_WRITES_PER_USER_PER_MINUTE: '1000000',
    IDEMPOTENCY_MAX_KEYS_PER_USER: '1000000',
    // Tests fire hundreds of parallel requests from 127.0.0.1; the per-address socket cap has
    // its own tests.
    MAX_CONNECTIONS_PER_IP: '0',
    LOG_LEVEL: 'silent',
    WEB_DIST_DIR: path.join(dir, 'no-web'),
    // Most tests queue many videos per user at once; the per-user caps have their own tests.
    VIDEO_MAX_QUEUED_PER_USER: '100000',
    VIDEO_MAX_RUNNING_PER_USER: '16',
    ...env,
  });
  const store = openSqliteStore(config.databasePath, { busyTimeoutMs: config.dbBusyTimeoutMs });
  const runtime = await startStripeRuntime({
    ...config,
    stripe: { ...config.stripe, emulatorPort: 0 },
  });
  const log = pino({ level: 'silent' });
  const worker = createVideoWorker({
    config,
    store,
    log,
    renderer: options.renderer ?? createNoopRenderer(),
    verifyOutput: options.verifyOutput,
  });
  if (options.startWorker !== false) await worker.start();
  const deps = composeDeps({
    config,
    store,
    log,
    videoQueue: worker,
    stripe: runtime.stripe,
    stripeEmulatorHandler: runtime.emulatorHandler,
  });
  const assertInvariants = async () => {
    expect(await store.verifyInvariants()).toEqual([]);
  };
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve) => {
    const s = createLimitedServer(app, config.server);
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runtime.setWebhookTarget(baseUrl);
  const http = () => request(server);
  const signup: Harness['signup'] = async (overrides = {}) => {
    counter += 1;
    const body = {
      email: `user${counter}-${Date.now()}@example.com`,
      password: 'correct horse battery',
      name: `User ${counter}`,
      ...overrides,
    };
    const res = await http().post('/api/auth/signup').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const token = res.body.token as string;
    return {
      id: res.body.user.id,
      email: body.email.trim().toLowerCase(),
      password: body.password,
      token,
      auth: { Authorization: `Bearer ${token}` },
    };
  };
  const startSession: Harness['startSession'] = async (userId) => {
    const { session, token } = newSession(deps.tokens, userId, new Date());
    await store.createSession(session);
    return { sessionId: session.id, token };
  };
  return {
    dir,
    config,
    store,
    data: sqliteTestData(store),
    deps,
    app,
    server,
    baseUrl,
    stripe: runtime.stripe,
    emulator: runtime.emulator!,
    emulatorUrl: runtime.emulatorUrl!,
    http,
    signup,
    startSession,
    assertInvariants,
    worker,
    close: async () => {
      await worker.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Row counts of the ledger, payment, video and event tables (idempotency records aside). */
export function tableCounts(h: Pick<Harness, 'data'>): Promise<Record<string, number>> {
  return h.data.countAll({ tables: WRITABLE_TABLES.filter((t) => t !== 'idempotency_keys') });
}
