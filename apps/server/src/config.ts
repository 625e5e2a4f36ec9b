import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  DATA_DIR: z.string().default(path.join(repoRoot, 'data')),
  DATABASE_PATH: optionalString,
  VIDEO_DIR: optionalString,
  WEB_DIST_DIR: z.string().default(path.join(repoRoot, 'apps/web/dist')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  JWT_SECRET: optionalString,
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(7 * 24 * 3600),
  JWT_ISSUER: z.string().default('credit-video-platform'),
  JWT_AUDIENCE: z.string().default('credit-video-platform-web'),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).optional(),

  FRONTEND_URL: optionalString,
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  BODY_LIMIT: z.string().default('100kb'),
  DB_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),

  STRIPE_SECRET_KEY: optionalString,
  STRIPE_PUBLISHABLE_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_BASE: optionalString,
  STRIPE_EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(12111),
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),

  VIDEO_RENDERER: z.enum(RENDERER_NAMES).default('ffmpeg'),
  VIDEO_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  VIDEO_RENDER_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(10 * 60 * 1000),

  RATE_LIMIT_LOGIN_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_LOGIN_PER_IP: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_SIGNUP_PER_IP: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_GENERATE_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_PAYMENTS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  RATE_LIMITS_DISABLED: bool,
});

export type StripeMode = 'emulator' | 'test' | 'live';

export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  dataDir: string;
  databasePath: string;
  videoDir: string;
  webDistDir: string;
  logLevel: string;
  jwt: { secret: string; ttlSeconds: number; issuer: string; audience: string };
  bcryptCost: number;
  frontendUrl: string | undefined;
  trustProxy: number;
  bodyLimit: string;
  dbBusyTimeoutMs: number;
  /** How long an Idempotency-Key replays its first response; then it may be used again. */
  idempotencyKeyTtlHours: number;
  stripe: {
    mode: StripeMode;
    secretKey: string;
    publishableKey: string;
    webhookSecret: string;
    apiBase: URL | undefined;
    emulatorPort: number;
    webhookToleranceSeconds: number;
  };
  video: { renderer: RendererName; concurrency: number; renderTimeoutMs: number };
  rateLimits: {
    disabled: boolean;
    loginPerAccount: number;
    loginPerIp: number;
    signupPerIp: number;
    generatePerMinute: number;
    paymentsPerMinute: number;
  };
}

export class ConfigError extends Error {}

const MIN_SECRET_BYTES = 32;
export const EMULATOR_SECRET_KEY = 'sk_test_emulator';
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
  mkdirSync(dataDir, { recursive: true });

  if (production && (!e.JWT_SECRET || Buffer.byteLength(e.JWT_SECRET) < MIN_SECRET_BYTES)) {
    throw new ConfigError(
      `JWT_SECRET of at least ${MIN_SECRET_BYTES} bytes is required in production`,
    );
  }
  const jwtSecret = e.JWT_SECRET ?? localJwtSecret(dataDir);

  const stripe = resolveStripe(e, production, dataDir);

  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    dataDir,
    databasePath: path.resolve(repoRoot, e.DATABASE_PATH ?? path.join(dataDir, 'credits.db')),
    videoDir: path.resolve(repoRoot, e.VIDEO_DIR ?? path.join(dataDir, 'videos')),
    webDistDir: path.resolve(repoRoot, e.WEB_DIST_DIR),
    logLevel: e.LOG_LEVEL,
    jwt: {
      secret: jwtSecret,
      ttlSeconds: e.JWT_TTL_SECONDS,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
    },
    bcryptCost: e.BCRYPT_COST ?? 12,
    frontendUrl: e.FRONTEND_URL,
    trustProxy: e.TRUST_PROXY,
    bodyLimit: e.BODY_LIMIT,
    dbBusyTimeoutMs: e.DB_BUSY_TIMEOUT_MS,
    idempotencyKeyTtlHours: e.IDEMPOTENCY_KEY_TTL_HOURS,
    stripe,
    video: {
      renderer: e.VIDEO_RENDERER,
      concurrency: e.VIDEO_CONCURRENCY,
      renderTimeoutMs: e.VIDEO_RENDER_TIMEOUT_MS,
    },
    rateLimits: {
      disabled: e.RATE_LIMITS_DISABLED,
      loginPerAccount: e.RATE_LIMIT_LOGIN_PER_ACCOUNT,
      loginPerIp: e.RATE_LIMIT_LOGIN_PER_IP,
      signupPerIp: e.RATE_LIMIT_SIGNUP_PER_IP,
      generatePerMinute: e.RATE_LIMIT_GENERATE_PER_MINUTE,
      paymentsPerMinute: e.RATE_LIMIT_PAYMENTS_PER_MINUTE,
    },
  };
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
      secretKey: EMULATOR_SECRET_KEY,
      publishableKey: EMULATOR_PUBLISHABLE_KEY,
      webhookSecret: e.STRIPE_WEBHOOK_SECRET ?? localWebhookSecret(dataDir),
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
    webhookSecret: e.STRIPE_WEBHOOK_SECRET,
    apiBase,
  };
}

/** Where the user ran a `pnpm <script>` from, so CLI file arguments resolve as they typed them. */
export function invocationPath(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}
