import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CREDIT_PACKAGES } from '@app/shared';

/** The largest pack: the bench buys credits by the thousand. */
export const ENTERPRISE = CREDIT_PACKAGES.find((p) => p.name === 'Enterprise')!;
export const ENTERPRISE_CREDITS = ENTERPRISE.credits + ENTERPRISE.bonusCredits;
import type { Request } from 'autocannon';
import Stripe from 'stripe';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { openDatabase } from '../src/store/sqlite/open.ts';
import type { InvariantViolation } from '../src/store/types.ts';

/** Shared by `pnpm bench` (run.ts) and the opt-in soak (soak.ts): the real server as a child. */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  dataDir: string;
  databasePath: string;
  webhookSecret: string;
  /** What the server printed up to its listening line (e.g. its `sqlite:` durability line). */
  startupOutput: string;
  /** The SDK pointed at the server's bundled Stripe emulator. */
  stripe: Stripe;
  stop: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** `node --import tsx apps/server/src/main.ts` on a fresh database; resolves once it listens. */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'credit-bench-'));
  const emulatorPort = await freePort();
  const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    BCRYPT_COST: '12',
    LOG_LEVEL: 'silent',
    VIDEO_RENDERER: 'noop',
    RATE_LIMITS_DISABLED: 'true',
    // A few bench users queue thousands of videos; the per-user caps would refuse them.
    VIDEO_MAX_QUEUED_PER_USER: '100000000',
    VIDEO_MAX_RUNNING_PER_USER: '16',
    STRIPE_EMULATOR_PORT: String(emulatorPort),
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    WEB_DIST_DIR: path.join(dataDir, 'no-web'),
    // Present but empty, so a developer's .env cannot point the bench at real Stripe or
    // another database (loadEnvFile never overrides a variable that is set).
    STRIPE_SECRET_KEY: '',
    STRIPE_PUBLISHABLE_KEY: '',
    STRIPE_API_BASE: '',
    DATABASE_PATH: '',
    VIDEO_DIR: '',
    ...extraEnv,
  };
  // BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load.
  const nodeArgs = (process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', 'apps/server/src/main.ts'],
    {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let out = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stderr}`));
    });
  });
  // The bundled emulator made its random secret key in the data directory; several instances
  // share a standalone emulator instead (STRIPE_API_BASE with its STRIPE_SECRET_KEY).
  const standalone = env.STRIPE_API_BASE ? new URL(env.STRIPE_API_BASE) : undefined;
  const secretKey = standalone
    ? env.STRIPE_SECRET_KEY!
    : readFileSync(path.join(dataDir, 'emulator-secret-key'), 'utf8').trim();
  const stripe = new Stripe(secretKey, {
    host: standalone?.hostname ?? '127.0.0.1',
    port: standalone ? Number(standalone.port) : emulatorPort,
    protocol: 'http',
    telemetry: false,
    maxNetworkRetries: 2,
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return {
    child,
    baseUrl,
    dataDir,
    databasePath: path.join(dataDir, 'credits.db'),
    webhookSecret: env.STRIPE_WEBHOOK_SECRET!,
    startupOutput: out,
    stripe,
    stop,
  };
}

export interface BenchUser {
  email: string;
  password: string;
  token: string;
  id: string;
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${res.url}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function signup(server: RunningServer, label = 'bench'): Promise<BenchUser> {
  const email = `${label}-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple';
  const body = await json<{ token: string; user: { id: string } }>(
    await fetch(`${server.baseUrl}/api/auth/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password, name: 'Bench' }),
    }),
  );
  return { email, password, token: body.token, id: body.user.id };
}

export async function balanceOf(server: RunningServer, user: BenchUser): Promise<number> {
  const body = await json<{ creditBalance: number }>(
    await fetch(`${server.baseUrl}/api/credits/balance`, {
      headers: { Authorization: `Bearer ${user.token}` },
    }),
  );
  return body.creditBalance;
}

/**
 * Buys packs through the real flow: create-intent on the server, the card paid at the
 * emulator with the SDK, the credit arriving by the emulator's signed webhook.
 */
export async function buyPacks(
  server: RunningServer,
  user: BenchUser,
  count: number,
  packageId = ENTERPRISE.id,
): Promise<{ paymentIntentIds: string[]; balance: number }> {
  const start = await balanceOf(server, user);
  const paymentIntentIds: string[] = [];
  let expected = start;
  const batch = 8;
  for (let i = 0; i < count; i += batch) {
    const ids = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async () => {
        const intent = await json<{ paymentIntentId: string; credits: number }>(
          await fetch(`${server.baseUrl}/api/payments/create-intent`, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              Authorization: `Bearer ${user.token}`,
            },
            body: JSON.stringify({ packageId }),
          }),
        );
        await server.stripe.paymentIntents.confirm(intent.paymentIntentId, {
          payment_method: 'pm_card_visa',
        });
        expected += intent.credits;
        return intent.paymentIntentId;
      }),
    );
    paymentIntentIds.push(...ids);
  }
  const deadline = Date.now() + 30_000;
  let balance = await balanceOf(server, user);
  while (balance < expected) {
    if (Date.now() > deadline) throw new Error(`credits did not arrive: ${balance} < ${expected}`);
    await new Promise((r) => setTimeout(r, 50));
    balance = await balanceOf(server, user);
  }
  return { paymentIntentIds, balance };
}

/** Buys Enterprise packs until the balance covers `credits`. */
export async function topUpTo(
  server: RunningServer,
  user: BenchUser,
  credits: number,
): Promise<{ bought: number; balance: number }> {
  const balance = await balanceOf(server, user);
  if (balance >= credits) return { bought: 0, balance };
  const bought = Math.ceil((credits - balance) / ENTERPRISE_CREDITS);
  const after = await buyPacks(server, user, bought);
  return { bought, balance: after.balance };
}

/** The checks of `pnpm ledger:verify`, on the database file, read-only. */
export async function verifyLedger(databasePath: string): Promise<InvariantViolation[]> {
  const store = new SqliteStore(openDatabase(databasePath, { readonly: true }));
  try {
    return await store.verifyInvariants();
  } finally {
    await store.close();
  }
}

/** Videos not yet rendered, read through a separate read-only connection. */
export function openCounter(databasePath: string) {
  const db = openDatabase(databasePath, { readonly: true });
  const pending = db.prepare(
    "SELECT COUNT(*) FROM video_generations WHERE status IN ('queued', 'processing')",
  );
  return {
    pendingVideos: () => pending.pluck().get() as number,
    close: () => db.close(),
  };
}

/** A signed `payment_intent.succeeded` for an existing intent, with a fresh event id each call. */
export function webhookEvents(server: RunningServer, intent: Stripe.PaymentIntent) {
  const object = JSON.stringify(intent);
  const build = (id: string) =>
    `{"id":"${id}","object":"event","api_version":"2025-01-27.acacia","created":${Math.floor(
      Date.now() / 1000,
    )},"livemode":false,"type":"payment_intent.succeeded","data":{"object":${object}}}`;
  const sign = (payload: string) =>
    server.stripe.webhooks.generateTestHeaderString({ payload, secret: server.webhookSecret });
  return {
    fresh: () => {
      const payload = build(`evt_bench_${randomUUID()}`);
      return { payload, signature: sign(payload) };
    },
    fixed: (() => {
      const payload = build(`evt_bench_dup_${randomUUID()}`);
      return { payload, signature: sign(payload) };
    })(),
  };
}

/** An autocannon request that posts a newly signed event (new id) every time. */
export function freshWebhookRequest(events: ReturnType<typeof webhookEvents>): Request {
  return {
    method: 'POST',
    path: '/api/payments/webhook',
    headers: { 'Content-Type': 'application/json' },
    setupRequest: (req) => {
      const e = events.fresh();
      return {
        ...req,
        body: e.payload,
        headers: { ...req.headers, 'Stripe-Signature': e.signature },
      };
    },
  };
}

/**
 * Generate load comes from many accounts, as real traffic does: each account may have only a
 * few videos queued (VIDEO_MAX_QUEUED_PER_USER, 5 by default), and one account with thousands
 * queued is a shape the cap forbids. The bench raises the cap so that no request is refused
 * while the no-op renderer catches up, and spreads the requests over this many accounts.
 */
export const GENERATOR_ACCOUNTS = 50;

export interface GeneratorPool {
  users: BenchUser[];
  /** Tops every account up to `totalCredits / users` (buys only where a balance is short). */
  topUpTo(totalCredits: number): Promise<{ bought: number }>;
  /** One generate request per account; autocannon's connections cycle through them. */
  requests(body: unknown): Request[];
}

export async function generatorPool(
  server: RunningServer,
  label: string,
  count = GENERATOR_ACCOUNTS,
): Promise<GeneratorPool> {
  const users: BenchUser[] = [];
  for (let i = 0; i < count; i += 10) {
    users.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(10, count - i) }, (_, j) =>
          signup(server, `${label}-${i + j}`),
        ),
      )),
    );
  }
  return {
    users,
    async topUpTo(totalCredits) {
      const each = Math.ceil(totalCredits / users.length);
      let bought = 0;
      for (let i = 0; i < users.length; i += 5) {
        const results = await Promise.all(
          users.slice(i, i + 5).map((u) => topUpTo(server, u, each)),
        );
        bought += results.reduce((sum, r) => sum + r.bought, 0);
      }
      return { bought };
    },
    requests(body) {
      return users.map((u) => ({
        method: 'POST' as const,
        path: '/api/video/generate',
        headers: { Authorization: `Bearer ${u.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        setupRequest: (req: Request) => ({
          ...req,
          headers: { ...req.headers, 'Idempotency-Key': randomUUID() },
        }),
      }));
    },
  };
}
