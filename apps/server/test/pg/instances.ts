import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createStripeEmulator, type StripeEmulator } from '@app/stripe-emulator';
import Stripe from 'stripe';
import { expect } from 'vitest';
import { openPgStore, type PgStore } from '../../src/store/pg/pg-store.ts';
import { applyEntry } from '../../src/store/pg/ledger.ts';
import { call, type CallOptions, type JsonResponse } from '../battery/support/client.ts';
import { startServerProcess, type ServerProcess } from '../battery/support/server-process.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

export const WEBHOOK_SECRET = 'whsec_multi_instance_test_secret_0123456789';
export const SECRET_KEY = 'sk_test_multi_instance';

/**
 * Two (or more) real server processes on one PostgreSQL database, with separate data
 * directories, one shared video directory, and one standalone Stripe emulator reached through
 * STRIPE_API_BASE, as a deployment behind a load balancer would run them.
 */
export interface Fleet {
  db: TestDatabase;
  /** The test's own store on the database (the app role): fixtures and checks. */
  store: PgStore;
  emulator: StripeEmulator;
  stripe: Stripe;
  videoDir: string;
  nodes: ServerProcess[];
  env: Record<string, string>;
  dirs: string[];
  call: (node: number, method: string, urlPath: string, o?: CallOptions) => Promise<JsonResponse>;
  signup: (node?: number) => Promise<{ id: string; token: string }>;
  grant: (userId: string, amount: number) => Promise<void>;
  balance: (userId: string) => Promise<number>;
  restart: (node: number, o?: { kill?: boolean }) => Promise<void>;
  /** SIGKILL, expected: the instance stays down until `restart`. */
  kill: (node: number) => Promise<void>;
  assertInvariants: () => Promise<void>;
  close: () => Promise<void>;
}

export async function startFleet(count = 2, extraEnv: Record<string, string> = {}): Promise<Fleet> {
  const db = await createTestDatabase();
  const root = mkdtempSync(path.join(tmpdir(), 'credit-fleet-'));
  const videoDir = path.join(root, 'shared-videos');
  mkdirSync(videoDir, { recursive: true, mode: 0o700 });
  const emulator = createStripeEmulator({ webhookSecret: WEBHOOK_SECRET, secretKey: SECRET_KEY });
  const { url: emulatorUrl } = await emulator.listen(0, '127.0.0.1');
  const env: Record<string, string> = {
    DATABASE_URL: db.appUrl,
    DATABASE_OWNER_URL: db.ownerUrl,
    INSTANCE_COUNT: String(count),
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_PUBLISHABLE_KEY: 'pk_test_emulator',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: emulatorUrl,
    JWT_SECRET: 'multi-instance-shared-jwt-secret-0123456789abcdef',
    VIDEO_DIR: videoDir,
    VIDEO_RENDERER: 'noop',
    VIDEO_LEASE_MS: '1500',
    PG_POOL_MAX: '8',
    ...extraEnv,
  };
  const dirs = Array.from({ length: count }, (_, i) => {
    const d = path.join(root, `node-${i}`);
    mkdirSync(d, { recursive: true, mode: 0o700 });
    return d;
  });
  // An instance that dies on its own (not stopped by restart() or close()) is a server bug;
  // its last output is printed at once, since later failures only show a refused connection.
  const stopping = new Set<ServerProcess>();
  const start = async (dir: string) => {
    const node = await startServerProcess(dir, env, 60_000);
    void node.exited.then(({ code, signal }) => {
      if (stopping.has(node)) return;
      console.error(
        `instance ${node.baseUrl} exited on its own (${code ?? signal}):\n${node.output().slice(-4000)}`,
      );
    });
    return node;
  };
  const nodes = await Promise.all(dirs.map(start));
  const store = openPgStore({ connectionString: db.appUrl, max: 4 });
  const stripe = new Stripe(SECRET_KEY, {
    host: new URL(emulatorUrl).hostname,
    port: Number(new URL(emulatorUrl).port),
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  let signups = 0;
  const fleet: Fleet = {
    db,
    store,
    emulator,
    stripe,
    videoDir,
    nodes,
    env,
    dirs,
    call: (node, method, urlPath, o) => call(fleet.nodes[node]!.baseUrl, method, urlPath, o),
    async signup(node = 0) {
      signups += 1;
      const res = await fleet.call(node, 'POST', '/api/auth/signup', {
        body: {
          email: `m${signups}-${randomUUID()}@example.com`,
          password: 'correct horse battery',
          name: `Multi ${signups}`,
        },
      });
      expect(res.status, res.text).toBe(201);
      const body = res.body as { token: string; user: { id: string } };
      return { id: body.user.id, token: body.token };
    },
    grant: (userId, amount) =>
      store.runner.tx(async (q) => {
        await applyEntry(
          q,
          userId,
          {
            type: 'adjustment',
            amount,
            referenceType: 'test_grant',
            referenceId: randomUUID(),
            description: 'fixture',
          },
          new Date().toISOString(),
        );
      }),
    balance: async (userId) => (await store.getBalance({ userId }))!.creditBalance,
    async restart(node, o = {}) {
      const old = fleet.nodes[node]!;
      stopping.add(old);
      await (o.kill ? old.kill9() : old.stop());
      fleet.nodes[node] = await start(dirs[node]!);
    },
    async kill(node) {
      stopping.add(fleet.nodes[node]!);
      await fleet.nodes[node]!.kill9();
    },
    async assertInvariants() {
      expect(await store.verifyInvariants()).toEqual([]);
    },
    async close() {
      for (const n of fleet.nodes) stopping.add(n);
      await Promise.all(fleet.nodes.map((n) => n.kill9()));
      await store.close();
      await emulator.close();
      await db.drop();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return fleet;
}
