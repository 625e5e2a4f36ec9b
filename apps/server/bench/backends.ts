import { createStripeEmulator, type StripeEmulator } from '@app/stripe-emulator';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPgStore } from '../src/store/pg/pg-store.ts';
import { openDatabase } from '../src/store/sqlite/open.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/types.ts';
import { findPgBin, startCluster, type Cluster } from '../test/pg/cluster.ts';
import { startServer, type RunningServer } from './lib.ts';

/**
 * The deployments `bench/many-users.ts` compares: the server on SQLite, on PostgreSQL with one
 * instance, and on PostgreSQL with two instances on one database. Each comes with the bench's
 * own store on the same database, for what is not measured: topping credits up (a console
 * grant, so the ledger stays valid) and watching the render queue drain.
 */

export interface Backend {
  name: string;
  instances: number;
  servers: RunningServer[];
  store: Store;
  close: () => Promise<void>;
}

/** Not measured, only hashed at signup: cost 4 makes 1,000 signups take seconds, not minutes. */
const SERVER_ENV = { BCRYPT_COST: '4', METRICS_PORT: '0' };

/** Why PostgreSQL cannot be measured here, or null when it can. */
export function pgUnavailable(): string | null {
  if (process.env.BENCH_SKIP_PG === '1') return 'BENCH_SKIP_PG=1';
  try {
    findPgBin();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export async function sqliteBackend(): Promise<Backend> {
  const server = await startServer(SERVER_ENV);
  const store = new SqliteStore(openDatabase(server.databasePath));
  return {
    name: 'SQLite',
    instances: 1,
    servers: [server],
    store,
    async close() {
      await store.close();
      await server.stop();
      rmSync(server.dataDir, { recursive: true, force: true });
    },
  };
}

const OWNER_ROLE = 'credits_owner';
const APP_ROLE = 'credits_app';

export interface PgCluster {
  cluster: Cluster;
  version: string;
  /** A new empty database owned by the owner role; the server migrates it at start-up. */
  database: (name: string) => Promise<{ appUrl: string; ownerUrl: string }>;
  stop: () => void;
}

/**
 * A throwaway cluster like the tests', but with PostgreSQL's durable defaults (every COMMIT
 * flushed to disk), the same promise SQLite's synchronous=FULL makes: the tests' fsync=off
 * would compare a crash-unsafe PostgreSQL with a durable SQLite.
 */
export async function startPgCluster(): Promise<PgCluster> {
  const cluster = await startCluster({
    fsync: 'on',
    synchronous_commit: 'on',
    full_page_writes: 'on',
    shared_buffers: '128MB',
  });
  let version: string;
  try {
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${OWNER_ROLE} LOGIN`);
      await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN`);
      version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v"))
        .rows[0]!.v;
    } finally {
      await admin.end();
    }
  } catch (err) {
    cluster.stop();
    throw err;
  }
  return {
    cluster,
    version,
    async database(name) {
      const c = new pg.Client({ connectionString: cluster.url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name} OWNER ${OWNER_ROLE}`);
      } finally {
        await c.end();
      }
      return { appUrl: cluster.url(name, APP_ROLE), ownerUrl: cluster.url(name, OWNER_ROLE) };
    },
    stop: () => cluster.stop(),
  };
}

const SECRET_KEY = `sk_test_bench_${randomBytes(12).toString('hex')}`;

/**
 * `instances` server processes on one new database. Several instances refuse the in-process
 * Stripe emulator, so they share a standalone one (nothing measured here pays); one instance
 * runs as SQLite's does. They share the JWT secret (a token from one is valid on the other)
 * and the video directory, as behind a load balancer.
 */
export async function pgBackend(
  cluster: PgCluster,
  database: string,
  instances: number,
): Promise<Backend> {
  const { appUrl, ownerUrl } = await cluster.database(database);
  const root = mkdtempSync(path.join(tmpdir(), 'credit-bench-fleet-'));
  const videoDir = path.join(root, 'videos');
  mkdirSync(videoDir, { recursive: true, mode: 0o700 });
  let emulator: StripeEmulator | undefined;
  const env: Record<string, string> = {
    ...SERVER_ENV,
    DATABASE_URL: appUrl,
    DATABASE_OWNER_URL: ownerUrl,
    INSTANCE_COUNT: String(instances),
    JWT_SECRET: randomBytes(48).toString('base64url'),
    VIDEO_DIR: videoDir,
  };
  if (instances > 1) {
    const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
    emulator = createStripeEmulator({ webhookSecret, secretKey: SECRET_KEY });
    const { url } = await emulator.listen(0, '127.0.0.1');
    Object.assign(env, {
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_PUBLISHABLE_KEY: 'pk_test_emulator',
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_BASE: url,
    });
  }
  const servers: RunningServer[] = [];
  const store = openPgStore({ connectionString: appUrl, max: 8 });
  const close = async () => {
    for (const s of servers) {
      await s.stop();
      rmSync(s.dataDir, { recursive: true, force: true });
    }
    await store.close();
    await emulator?.close();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    // One after the other: the first migrates, the others find the schema in place.
    for (let i = 0; i < instances; i++) servers.push(await startServer(env));
  } catch (err) {
    await close();
    throw err;
  }
  return {
    name: `PostgreSQL, ${instances} instance${instances > 1 ? 's' : ''}`,
    instances,
    servers,
    store,
    close,
  };
}
