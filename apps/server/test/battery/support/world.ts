import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type Stripe from 'stripe';
import type { StripeEmulator } from '@app/stripe-emulator';
import { expect } from 'vitest';
import { createApp } from '../../../src/app.ts';
import type { AppDeps } from '../../../src/app-deps.ts';
import { composeDeps } from '../../../src/compose.ts';
import { loadConfig, type Config } from '../../../src/config.ts';
import type { ServiceContext } from '../../../src/services/context.ts';
import { openDatabase } from '../../../src/store/sqlite/open.ts';
import { openSqliteStore, SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { startStripeRuntime, type StripeRuntime } from '../../../src/stripe-runtime.ts';
import { createVideoWorker } from '../../../src/video/create-worker.ts';
import { createNoopRenderer, type Renderer } from '../../../src/video/renderers/index.ts';
import type { Store } from '../../../src/store/types.ts';
import { sqliteTestData } from '../../../src/store/sqlite/test-data.ts';
import type { TestData } from '../../../src/store/test-data.ts';
import type { VideoWorker } from '../../../src/video/worker.ts';
import { call, type CallOptions, type JsonResponse } from './client.ts';

/**
 * An in-process server wired exactly like main.ts (config, store with the configured busy
 * timeout, Stripe runtime, worker, app on 127.0.0.1:0),
 * which can be restarted on the same database file: gracefully, after a simulated crash (the
 * database is closed under the running jobs, nothing is cleaned up), read-only, or on a fresh
 * file. The Stripe emulator lives across restarts, as Stripe does.
 *
 * The app and the worker see the store through a view that a crash severs: from then on every
 * call they make fails, as it would in a dead process, while the test keeps its own handle.
 */
export interface WorldOptions {
  env?: Record<string, string>;
  renderer?: Renderer;
  /** Probe the renderer's output before completing; default as createVideoWorker decides. */
  verifyOutput?: boolean;
}

export interface WorldUser {
  id: string;
  email: string;
  token: string;
}

let users = 0;

/** The store as one process sees it; `sever` makes every later call fail. */
function severable(store: Store): { view: Store; sever: () => void } {
  let dead = false;
  const view = new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        dead
          ? Promise.reject(new Error('the process that made this call is gone'))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { view, sever: () => (dead = true) };
}

export class World {
  private sqlite!: SqliteStore;
  /** The test's own handle on the store, which a crash does not sever. */
  get store(): Store {
    return this.sqlite;
  }
  /** Test data beside the store, on the current connection (each restart opens a new one). */
  get data(): TestData {
    return sqliteTestData(this.sqlite);
  }
  private sever: () => void = () => undefined;
  worker!: VideoWorker;
  deps!: AppDeps;
  server!: Server;
  baseUrl = '';
  /** Bumped by every restart. */
  generation = 0;
  private readonly log = pino({ level: 'silent' });

  private constructor(
    readonly dir: string,
    readonly config: Config,
    readonly runtime: StripeRuntime,
    private readonly options: WorldOptions,
  ) {}

  static async create(options: WorldOptions = {}): Promise<World> {
    const dir = mkdtempSync(path.join(tmpdir(), 'battery-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dir,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'silent',
      RATE_LIMITS_DISABLED: 'true',
      WEB_DIST_DIR: path.join(dir, 'no-web'),
      // Most tests queue many videos per user at once; the per-user caps have their own tests.
      VIDEO_MAX_QUEUED_PER_USER: '100000',
      VIDEO_MAX_RUNNING_PER_USER: '16',
      ...options.env,
    });
    const runtime = await startStripeRuntime({
      ...config,
      stripe: { ...config.stripe, emulatorPort: 0 },
    });
    const world = new World(dir, config, runtime, options);
    await world.boot({});
    return world;
  }

  get emulator(): StripeEmulator {
    return this.runtime.emulator!;
  }

  get stripe(): Stripe {
    return this.runtime.stripe;
  }

  get ctx(): ServiceContext {
    return this.deps.ctx;
  }

  get renderer(): Renderer {
    return this.options.renderer ?? createNoopRenderer();
  }

  private async boot(o: { readonly?: boolean; keepConnection?: boolean; afterCrash?: boolean }) {
    const file = this.config.databasePath;
    const busyTimeoutMs = this.config.dbBusyTimeoutMs;
    if (!o.keepConnection) {
      this.sqlite = o.readonly
        ? new SqliteStore(openDatabase(file, { readonly: true, busyTimeoutMs }))
        : openSqliteStore(file, { busyTimeoutMs });
    }
    const { view, sever } = severable(this.store);
    this.sever = sever;
    // The dead process's leases run out while nobody renews them: the reaper runs as it
    // would once VIDEO_LEASE_MS had passed, instead of the test waiting for it.
    if (o.afterCrash && !o.readonly) {
      await this.store.reapExpiredLeases({
        now: new Date(Date.now() + this.config.video.leaseMs + 1).toISOString(),
        maxAttempts: this.config.video.maxAttempts,
        limit: 1_000_000,
      });
    }
    this.worker = createVideoWorker({
      config: this.config,
      store: view,
      log: this.log,
      renderer: this.renderer,
      verifyOutput: this.options.verifyOutput,
    });
    this.deps = composeDeps({
      config: this.config,
      store: view,
      log: this.log,
      videoQueue: this.worker,
      stripe: this.runtime.stripe,
      stripeEmulatorHandler: this.runtime.emulatorHandler,
    });
    if (!o.readonly) await this.worker.start();
    const app = createApp(this.deps);
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.runtime.setWebhookTarget(this.baseUrl);
    this.generation += 1;
  }

  private async closeServer() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /**
   * Stops the process state. A crash severs the old process's view of the store first, so
   * whatever its worker and requests try afterwards cannot write (as after SIGKILL); the old
   * worker is then stopped only to release its timers, and its writes all fail.
   */
  private async shutdown(o: { crash?: boolean; keepConnection?: boolean }) {
    if (o.crash) this.sever();
    await this.closeServer();
    await this.worker.stop();
    if (!o.keepConnection) await this.store.close();
  }

  /**
   * Restarts on the same database file (or a fresh one), keeping the emulator.
   * `keepConnection` skips closing and reopening the connection, the one part of a restart
   * that costs time; it is only meaningful with `crash`.
   */
  async restart(
    o: { crash?: boolean; readonly?: boolean; fresh?: boolean; keepConnection?: boolean } = {},
  ): Promise<void> {
    const keepConnection = (o.keepConnection ?? false) && !o.fresh && !o.readonly;
    await this.shutdown({ crash: o.crash, keepConnection });
    if (o.fresh) {
      for (const suffix of ['', '-wal', '-shm']) {
        rmSync(this.config.databasePath + suffix, { force: true });
      }
    }
    await this.boot({ readonly: o.readonly, keepConnection, afterCrash: o.crash });
  }

  call(method: string, urlPath: string, o: CallOptions = {}): Promise<JsonResponse> {
    return call(this.baseUrl, method, urlPath, o);
  }

  async signup(): Promise<WorldUser> {
    users += 1;
    const email = `b${users}-${Date.now()}@example.com`;
    const res = await this.call('POST', '/api/auth/signup', {
      body: { email, password: 'correct horse battery', name: `Battery ${users}` },
    });
    expect(res.status, res.text).toBe(201);
    const body = res.body as { token: string; user: { id: string } };
    return { id: body.user.id, email, token: body.token };
  }

  /** A test fixture: credits through the real ledger writer, as an adjustment entry. */
  grant(userId: string, amount: number): Promise<void> {
    return this.data.grantCredits({ userId, amount });
  }

  balance(userId: string): Promise<number> {
    return this.data.balanceOf({ userId });
  }

  async assertInvariants(): Promise<void> {
    expect(await this.store.verifyInvariants()).toEqual([]);
  }

  async close(): Promise<void> {
    await this.shutdown({}).catch(() => undefined);
    await this.runtime.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
