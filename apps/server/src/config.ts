import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RENDERER_NAMES, type RendererName } from './video/renderers/types.ts';

/**
 * The only module that reads process.env. Everything is validated at start-up so a
 * misconfigured production server exits at once instead of failing on the first payment.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  // No default here: it depends on the Stripe mode (see loadConfig).
  HOST: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  DATA_DIR: z.string().default(path.join(repoRoot, 'data')),
  DATABASE_PATH: optionalString,
  // postgres://… switches the store to PostgreSQL (several instances on one database).
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  // The role that owns the schema and runs migrations; unset: DATABASE_URL's role does.
  DATABASE_OWNER_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  PG_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  PG_LOCK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  // How many instances share the database. With DATABASE_URL and no explicit 1, several are
  // assumed possible, and the in-process Stripe emulator is refused.
  INSTANCE_COUNT: z.coerce.number().int().min(1).max(1000).optional(),
  VIDEO_DIR: optionalString,
  WEB_DIST_DIR: z.string().default(path.join(repoRoot, 'apps/web/dist')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  JWT_SECRET: optionalString,
  // `kid:secret,kid:secret`, newest first: the first signs, the others still verify.
  JWT_SECRETS: optionalString,
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(7 * 24 * 3600),
  JWT_ISSUER: z.string().default('credit-video-platform'),
  JWT_AUDIENCE: z.string().default('credit-video-platform-web'),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).optional(),
  // Two leaves the rest of libuv's pool of 4 (UV_THREADPOOL_SIZE) for file reads.
  // One core always left to the event loop: bcrypt saturating every core made a 1 MB video
  // range read take 0.5 s during a login burst on 2 cores (0.13 s with one hashing thread).
  BCRYPT_MAX_CONCURRENT: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(Math.max(1, availableParallelism() - 1)),
  BCRYPT_MAX_CONCURRENT_PER_IP: z.coerce.number().int().min(1).max(64).default(1),
  BCRYPT_QUEUE_MAX: z.coerce.number().int().min(0).max(10_000).default(50),
  BCRYPT_QUEUE_MAX_PER_IP: z.coerce.number().int().min(0).max(10_000).default(5),

  FRONTEND_URL: optionalString,
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  BODY_LIMIT: z.string().default('100kb'),
  DB_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  SQLITE_SYNCHRONOUS: z.enum(['durable', 'full', 'normal']).default('full'),
  // D1 crash test only: ignored unless NODE_ENV=test (see store/sqlite/kill-after-commit.ts).
  TEST_KILL_AFTER_LEDGER_COMMITS: z.coerce.number().int().min(1).optional(),
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  // Stripe retries a webhook for up to 3 days: an event's id is kept well past that.
  WEBHOOK_EVENT_RETENTION_DAYS: z.coerce.number().int().min(4).max(3650).default(30),
  MAIL_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),

  STRIPE_SECRET_KEY: optionalString,
  STRIPE_PUBLISHABLE_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_BASE: optionalString,
  STRIPE_EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(12111),
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),

  VIDEO_RENDERER: z.enum(RENDERER_NAMES).default('ffmpeg'),
  // `pnpm bench:render` on 2 cores: two renders at once give ~1.4x the output of one (README).
  VIDEO_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  VIDEO_RENDER_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(10 * 60 * 1000),
  VIDEO_MAX_QUEUED_PER_USER: z.coerce.number().int().min(1).default(5),
  VIDEO_MAX_RUNNING_PER_USER: z.coerce.number().int().min(1).default(1),
  // A dead or stalled worker's renders go to another worker after this long.
  VIDEO_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(30_000),
  VIDEO_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),

  RATE_LIMIT_LOGIN_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_LOGIN_PER_IP: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_SIGNUP_PER_IP: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_GENERATE_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_PAYMENTS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_API_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  RATE_LIMIT_WRITES_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_WRITES_PER_USER_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  RATE_LIMIT_EXPORTS_PER_USER_PER_MINUTE: z.coerce.number().int().min(1).default(6),
  RATE_LIMITS_DISABLED: bool,
  IDEMPOTENCY_MAX_KEYS_PER_USER: z.coerce.number().int().min(1).default(1000),

  MAX_CONNECTIONS: z.coerce.number().int().min(1).default(8192),
  MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).default(256),
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(10_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(5_000),
  SSE_MAX_PER_USER: z.coerce.number().int().min(1).default(10),
  SSE_MAX_TOTAL: z.coerce.number().int().min(1).default(1000),
  LOG_CLIENT_ERRORS_PER_IP_PER_MINUTE: z.coerce.number().int().min(0).default(20),

  SMTP_URL: optionalString,
  MAIL_FROM: z.string().trim().min(3).default('Lumen Studio <no-reply@localhost>'),
  PUBLIC_URL: optionalString,
  REQUIRE_VERIFIED_EMAIL: z.enum(['true', 'false', '1', '0']).optional(),
  MAIL_CATCHER_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(1025),
  MAIL_CATCHER_WEB_PORT: z.coerce.number().int().min(0).max(65535).default(1080),
  RATE_LIMIT_ACCOUNT_MAIL_PER_ADDRESS: z.coerce.number().int().min(1).default(5),
  RATE_LIMIT_ACCOUNT_MAIL_PER_IP: z.coerce.number().int().min(1).default(30),

  // Unset: /metrics only on the loopback METRICS_PORT; set: also on the public port with it.
  METRICS_TOKEN: z.string().trim().min(16).optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  READY_MIN_FREE_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(100 * 1024 * 1024),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),

  ADMIN_APPROVAL_THRESHOLD_CREDITS: z.coerce.number().int().min(1).default(1000),
  SUPPORT_GRANT_LIMIT_CREDITS: z.coerce.number().int().min(0).default(100),

  BACKUP_DIR: optionalString,
  BACKUP_INTERVAL_MINUTES: z.coerce.number().min(0).default(360),
  BACKUP_RETENTION: z.coerce.number().int().min(1).default(8),
});

export type StripeMode = 'emulator' | 'test' | 'live';

export interface Config {
  env: 'development' | 'test' | 'production';
  /** 127.0.0.1 in emulator mode unless HOST is set, else 0.0.0.0. */
  host: string;
  port: number;
  dataDir: string;
  databasePath: string;
  /** Set: the store is PostgreSQL (see README, "Several instances on PostgreSQL"). */
  postgres:
    | {
        url: string;
        /** Migrations run as this role (it owns the schema); the server runs as `url`'s. */
        ownerUrl: string | undefined;
        poolMax: number;
        lockTimeoutMs: number;
        statementTimeoutMs: number;
      }
    | undefined;
  /** Instances configured to share the database (INSTANCE_COUNT). */
  instanceCount: number;
  videoDir: string;
  webDistDir: string;
  logLevel: string;
  /** 4xx access-log lines per client IP per minute; the rest are counted, not written. */
  logClientErrorsPerIpPerMinute: number;
  jwt: {
    /**
     * Every key tokens may be signed with, newest first; the first signs new tokens. `kid: null`
     * is the key of tokens without a key id (JWT_SECRET, or the locally generated secret).
     */
    keys: JwtKey[];
    /** The signing key's secret (keys[0]). */
    secret: string;
    ttlSeconds: number;
    issuer: string;
    audience: string;
  };
  bcryptCost: number;
  /** Password hashing (and strength checks) at once, and how many may wait for a turn. */
  bcrypt: {
    maxConcurrent: number;
    maxConcurrentPerIp: number;
    queueMax: number;
    queueMaxPerIp: number;
  };
  frontendUrl: string | undefined;
  trustProxy: number;
  bodyLimit: string;
  dbBusyTimeoutMs: number;
  /** `full`: an acknowledged write survives power loss; `normal`: only a process crash. */
  sqliteSynchronous: 'durable' | 'full' | 'normal';
  /** Tests only: SIGKILL after the n-th ledger-writing COMMIT, before answering. */
  testKillAfterLedgerCommits: number | undefined;
  /** How long an Idempotency-Key replays its first response; then it may be used again. */
  idempotencyKeyTtlHours: number;
  /** New Idempotency-Keys one user may create per retention window (bounds what a user stores). */
  idempotencyMaxKeysPerUser: number;
  /** How long a webhook event's id is remembered (its duplicate check); then it is pruned. */
  webhookEventRetentionDays: number;
  /** Finished outbox mail is kept this long (for support: "was the receipt sent?"). */
  mailRetentionDays: number;
  /** Socket-level limits: what one client, or all of them, can hold open. */
  server: {
    maxConnections: number;
    /** 0 = no per-address cap (behind a proxy every connection comes from the proxy). */
    maxConnectionsPerIp: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
  };
  sse: { maxPerUser: number; maxTotal: number };
  /**
   * Outgoing mail. No `smtpUrl` (never in production): `pnpm start` runs a local mail catcher
   * on loopback at the `catcher` ports and sends there.
   */
  mail: {
    smtpUrl: string | undefined;
    from: string;
    catcher: { smtpPort: number; webPort: number };
  };
  /** Base of every link in a mail (no trailing slash); unset: the address the server listens on. */
  publicUrl: string | undefined;
  /** Unverified accounts may sign in and read, but not buy or generate (403 EMAIL_NOT_VERIFIED). */
  requireVerifiedEmail: boolean;
  /**
   * `/metrics`: with a token, on the public port for `Authorization: Bearer <token>` (else 404);
   * without one, only on 127.0.0.1:`port`.
   */
  metrics: { token: string | undefined; port: number };
  /** /readyz fails below this much free space on the data directory's file system. */
  readyMinFreeBytes: number;
  /** SIGTERM: how long in-flight requests and running renders get to finish. */
  shutdownGraceMs: number;
  /**
   * Support console: money actions above `approvalThresholdCredits` wait for a second admin;
   * the `support` role may grant goodwill credits up to `supportGrantLimitCredits` at a time.
   */
  admin: { approvalThresholdCredits: number; supportGrantLimitCredits: number };
  /** Verified online backups taken by the server itself (0 minutes: none). */
  backups: { dir: string; intervalMinutes: number; retention: number };
  stripe: {
    mode: StripeMode;
    secretKey: string;
    publishableKey: string;
    /** The first of `webhookSecrets` (the emulator signs with it). */
    webhookSecret: string;
    /** Every endpoint secret a delivery may be signed with (two during a secret roll). */
    webhookSecrets: string[];
    apiBase: URL | undefined;
    emulatorPort: number;
    webhookToleranceSeconds: number;
  };
  video: {
    renderer: RendererName;
    concurrency: number;
    renderTimeoutMs: number;
    /** Videos one user may have waiting; one more is refused (429) before any charge. */
    maxQueuedPerUser: number;
    /** Videos of one user rendered at once; the scheduler leaves the rest for other users. */
    maxRunningPerUser: number;
    /** A render's claim lasts this long without a heartbeat (renewed every third of it). */
    leaseMs: number;
    /** Leases a video may lose (its worker died) before it is failed and refunded. */
    maxAttempts: number;
  };
  rateLimits: {
    disabled: boolean;
    loginPerAccount: number;
    loginPerIp: number;
    signupPerIp: number;
    generatePerMinute: number;
    paymentsPerMinute: number;
    apiPerIpPerMinute: number;
    writesPerIpPerMinute: number;
    writesPerUserPerMinute: number;
    webhookPerIpPerMinute: number;
    /** CSV exports one user may start per minute (each reads their whole history). */
    exportsPerUserPerMinute: number;
    /** Verification resends, reset and email-change requests per address, and per client, per hour. */
    accountMailPerAddress: number;
    accountMailPerIp: number;
  };
}

export class ConfigError extends Error {}

export interface JwtKey {
  kid: string | null;
  secret: string;
}

const MIN_SECRET_BYTES = 32;
// Public by design (the browser card form sends it); the secret key is random, see below.
export const EMULATOR_PUBLISHABLE_KEY = 'pk_test_emulator';

/** Local use gets a random secret kept in the data directory, so sessions survive restarts. */
function localJwtSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function localWebhookSecret(dataDir: string): string {
  const file = path.join(dataDir, 'emulator-webhook-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * The emulator's secret key, random per data directory: a constant one let anyone who could
 * reach the emulator confirm, refund and list every payment. Kept in a file so the
 * `payments:reconcile` CLI (same DATA_DIR) can talk to the running server's emulator.
 */
function localEmulatorSecretKey(dataDir: string): string {
  const file = path.join(dataDir, 'emulator-secret-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = `sk_test_${randomBytes(24).toString('hex')}`;
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/** A `.env` at the repository root is read for local use; real environment variables win. */
function processEnv(): NodeJS.ProcessEnv {
  const dotenv = path.join(repoRoot, '.env');
  if (existsSync(dotenv)) process.loadEnvFile(dotenv);
  return process.env;
}

export function loadConfig(env: Record<string, string | undefined> = processEnv()): Config {
  // An empty value (`PORT=` copied from .env.example) means "use the default".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  // Relative paths are relative to the repository, whichever directory the server starts in.
  const dataDir = path.resolve(repoRoot, e.DATA_DIR);
  // Money, sessions and secrets live here: only the server's own user may read it.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);

  const jwtKeys = resolveJwtKeys(e, production, dataDir);

  const stripe = resolveStripe(e, production, dataDir);
  // The bundled emulator keeps its payments in this process's memory: a second instance, or
  // a webhook delivered to it, would not know them. Several instances use a standalone
  // emulator (STRIPE_API_BASE) or Stripe.
  const instanceCount = e.INSTANCE_COUNT ?? (e.DATABASE_URL ? 2 : 1);
  if (stripe.mode === 'emulator' && instanceCount > 1) {
    throw new ConfigError(
      'Several instances (DATABASE_URL without INSTANCE_COUNT=1, or INSTANCE_COUNT > 1) need ' +
        'Stripe keys: the in-process Stripe emulator serves one instance only. Run it standalone ' +
        '(pnpm --filter @app/stripe-emulator start) and set STRIPE_API_BASE, STRIPE_SECRET_KEY ' +
        'and STRIPE_WEBHOOK_SECRET, or set INSTANCE_COUNT=1',
    );
  }
  if (instanceCount > 1 && !e.DATABASE_URL) {
    throw new ConfigError(
      'INSTANCE_COUNT > 1 needs DATABASE_URL (PostgreSQL): SQLite is one process',
    );
  }
  if (production && !e.SMTP_URL) {
    throw new ConfigError(
      'SMTP_URL is required in production (mail: verification, resets, receipts)',
    );
  }
  if (production && !e.PUBLIC_URL) {
    throw new ConfigError('PUBLIC_URL is required in production (the links in every mail)');
  }
  const publicUrl = e.PUBLIC_URL ? parsePublicUrl(e.PUBLIC_URL) : undefined;

  return {
    env: e.NODE_ENV,
    // The emulator is test-only and lets anyone pay with a test card: not for the network.
    host: e.HOST ?? (stripe.mode === 'emulator' ? '127.0.0.1' : '0.0.0.0'),
    port: e.PORT,
    dataDir,
    databasePath: path.resolve(repoRoot, e.DATABASE_PATH ?? path.join(dataDir, 'credits.db')),
    postgres: e.DATABASE_URL
      ? {
          url: e.DATABASE_URL,
          ownerUrl: e.DATABASE_OWNER_URL,
          poolMax: e.PG_POOL_MAX,
          lockTimeoutMs: e.PG_LOCK_TIMEOUT_MS,
          statementTimeoutMs: e.PG_STATEMENT_TIMEOUT_MS,
        }
      : undefined,
    instanceCount,
    videoDir: path.resolve(repoRoot, e.VIDEO_DIR ?? path.join(dataDir, 'videos')),
    webDistDir: path.resolve(repoRoot, e.WEB_DIST_DIR),
    logLevel: e.LOG_LEVEL,
    logClientErrorsPerIpPerMinute: e.LOG_CLIENT_ERRORS_PER_IP_PER_MINUTE,
    jwt: {
      keys: jwtKeys,
      secret: jwtKeys[0]!.secret,
      ttlSeconds: e.JWT_TTL_SECONDS,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
    },
    bcryptCost: e.BCRYPT_COST ?? 12,
    bcrypt: {
      maxConcurrent: e.BCRYPT_MAX_CONCURRENT,
      maxConcurrentPerIp: e.BCRYPT_MAX_CONCURRENT_PER_IP,
      queueMax: e.BCRYPT_QUEUE_MAX,
      queueMaxPerIp: e.BCRYPT_QUEUE_MAX_PER_IP,
    },
    frontendUrl: e.FRONTEND_URL,
    trustProxy: e.TRUST_PROXY,
    bodyLimit: e.BODY_LIMIT,
    dbBusyTimeoutMs: e.DB_BUSY_TIMEOUT_MS,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    testKillAfterLedgerCommits:
      e.NODE_ENV === 'test' ? e.TEST_KILL_AFTER_LEDGER_COMMITS : undefined,
    idempotencyKeyTtlHours: e.IDEMPOTENCY_KEY_TTL_HOURS,
    idempotencyMaxKeysPerUser: e.IDEMPOTENCY_MAX_KEYS_PER_USER,
    webhookEventRetentionDays: e.WEBHOOK_EVENT_RETENTION_DAYS,
    mailRetentionDays: e.MAIL_RETENTION_DAYS,
    server: {
      maxConnections: e.MAX_CONNECTIONS,
      maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    },
    sse: { maxPerUser: e.SSE_MAX_PER_USER, maxTotal: e.SSE_MAX_TOTAL },
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT },
    readyMinFreeBytes: e.READY_MIN_FREE_BYTES,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    admin: {
      approvalThresholdCredits: e.ADMIN_APPROVAL_THRESHOLD_CREDITS,
      supportGrantLimitCredits: e.SUPPORT_GRANT_LIMIT_CREDITS,
    },
    backups: {
      dir: path.resolve(repoRoot, e.BACKUP_DIR ?? path.join(dataDir, 'backups')),
      intervalMinutes: e.BACKUP_INTERVAL_MINUTES,
      retention: e.BACKUP_RETENTION,
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      catcher: { smtpPort: e.MAIL_CATCHER_SMTP_PORT, webPort: e.MAIL_CATCHER_WEB_PORT },
    },
    publicUrl,
    requireVerifiedEmail:
      e.REQUIRE_VERIFIED_EMAIL === undefined
        ? production
        : e.REQUIRE_VERIFIED_EMAIL === 'true' || e.REQUIRE_VERIFIED_EMAIL === '1',
    stripe,
    video: {
      renderer: e.VIDEO_RENDERER,
      concurrency: e.VIDEO_CONCURRENCY,
      renderTimeoutMs: e.VIDEO_RENDER_TIMEOUT_MS,
      maxQueuedPerUser: e.VIDEO_MAX_QUEUED_PER_USER,
      maxRunningPerUser: e.VIDEO_MAX_RUNNING_PER_USER,
      leaseMs: e.VIDEO_LEASE_MS,
      maxAttempts: e.VIDEO_MAX_ATTEMPTS,
    },
    rateLimits: {
      disabled: e.RATE_LIMITS_DISABLED,
      loginPerAccount: e.RATE_LIMIT_LOGIN_PER_ACCOUNT,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      signupPerIp: e.RATE_LIMIT_SIGNUP_PER_IP,
      generatePerMinute: e.RATE_LIMIT_GENERATE_PER_MINUTE,
      paymentsPerMinute: e.RATE_LIMIT_PAYMENTS_PER_MINUTE,
      apiPerIpPerMinute: e.RATE_LIMIT_API_PER_IP_PER_MINUTE,
      writesPerIpPerMinute: e.RATE_LIMIT_WRITES_PER_IP_PER_MINUTE,
      writesPerUserPerMinute: e.RATE_LIMIT_WRITES_PER_USER_PER_MINUTE,
      webhookPerIpPerMinute: e.RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE,
      exportsPerUserPerMinute: e.RATE_LIMIT_EXPORTS_PER_USER_PER_MINUTE,
      accountMailPerAddress: e.RATE_LIMIT_ACCOUNT_MAIL_PER_ADDRESS,
      accountMailPerIp: e.RATE_LIMIT_ACCOUNT_MAIL_PER_IP,
    },
  };
}

const KID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * JWT_SECRETS (`kid:secret`, newest first) sign and verify with key ids; JWT_SECRET (or, outside
 * production, the generated local secret) verifies tokens without one, and signs only when
 * JWT_SECRETS is unset. Retiring a key is removing it: its tokens are refused from then on.
 */
function resolveJwtKeys(
  e: z.infer<typeof EnvSchema>,
  production: boolean,
  dataDir: string,
): JwtKey[] {
  const keys: JwtKey[] = [];
  for (const item of (e.JWT_SECRETS ?? '').split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const colon = item.indexOf(':');
    const kid = colon < 0 ? '' : item.slice(0, colon);
    const secret = colon < 0 ? '' : item.slice(colon + 1);
    if (!KID.test(kid) || Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      throw new ConfigError(
        `JWT_SECRETS: every entry must be kid:secret (kid of A-Z a-z 0-9 _ -, secret of at least ${MIN_SECRET_BYTES} bytes)`,
      );
    }
    if (keys.some((k) => k.kid === kid)) throw new ConfigError(`JWT_SECRETS: kid ${kid} twice`);
    keys.push({ kid, secret });
  }
  if (e.JWT_SECRET && production && Buffer.byteLength(e.JWT_SECRET) < MIN_SECRET_BYTES) {
    throw new ConfigError(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes in production`);
  }
  if (production && !e.JWT_SECRET && keys.length === 0) {
    throw new ConfigError(
      `JWT_SECRET or JWT_SECRETS (secrets of at least ${MIN_SECRET_BYTES} bytes) is required in production`,
    );
  }
  const legacy = e.JWT_SECRET ?? (production ? undefined : localJwtSecret(dataDir));
  if (legacy !== undefined) keys.push({ kid: null, secret: legacy });
  return keys;
}

/** An absolute http(s) origin with an optional path, kept without its trailing slash. */
function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`PUBLIC_URL is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('PUBLIC_URL must be an http(s) URL');
  }
  if (url.search || url.hash) throw new ConfigError('PUBLIC_URL must not have a query or fragment');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** During Stripe's secret roll both endpoint secrets are live: a comma-separated list. */
function webhookSecrets(value: string): { webhookSecret: string; webhookSecrets: string[] } {
  const secrets = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (secrets.length === 0) throw new ConfigError('STRIPE_WEBHOOK_SECRET is empty');
  return { webhookSecret: secrets[0]!, webhookSecrets: secrets };
}

function resolveStripe(
  e: z.infer<typeof EnvSchema>,
  production: boolean,
  dataDir: string,
): Config['stripe'] {
  const base = {
    emulatorPort: e.STRIPE_EMULATOR_PORT,
    webhookToleranceSeconds: e.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
  };
  if (!e.STRIPE_SECRET_KEY) {
    if (production) throw new ConfigError('STRIPE_SECRET_KEY is required in production');
    return {
      ...base,
      mode: 'emulator',
      secretKey: localEmulatorSecretKey(dataDir),
      publishableKey: EMULATOR_PUBLISHABLE_KEY,
      ...webhookSecrets(e.STRIPE_WEBHOOK_SECRET ?? localWebhookSecret(dataDir)),
      apiBase: undefined,
    };
  }
  const live = e.STRIPE_SECRET_KEY.startsWith('sk_live_');
  if (
    !e.STRIPE_SECRET_KEY.startsWith('sk_test_') &&
    !live &&
    !e.STRIPE_SECRET_KEY.startsWith('rk_')
  ) {
    throw new ConfigError(
      'STRIPE_SECRET_KEY must be a Stripe secret key (sk_test_... or sk_live_...)',
    );
  }
  if (!e.STRIPE_WEBHOOK_SECRET) {
    throw new ConfigError('STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set');
  }
  if (!e.STRIPE_PUBLISHABLE_KEY) {
    throw new ConfigError('STRIPE_PUBLISHABLE_KEY is required when STRIPE_SECRET_KEY is set');
  }
  let apiBase: URL | undefined;
  if (e.STRIPE_API_BASE) {
    if (live) throw new ConfigError('STRIPE_API_BASE cannot be used with a live key');
    apiBase = new URL(e.STRIPE_API_BASE);
  }
  return {
    ...base,
    mode: live ? 'live' : 'test',
    secretKey: e.STRIPE_SECRET_KEY,
    publishableKey: e.STRIPE_PUBLISHABLE_KEY,
    ...webhookSecrets(e.STRIPE_WEBHOOK_SECRET),
    apiBase,
  };
}

/** Where the user ran a `pnpm <script>` from, so CLI file arguments resolve as they typed them. */
export function invocationPath(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}
