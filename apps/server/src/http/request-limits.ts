import type { Request, RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { rateLimited } from '../errors.ts';
import { actorOf, userIdOnly } from './auth.ts';
import { clientNetwork } from './client-ip.ts';
import type { LimiterFactory } from '../store/types.ts';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Throttles that apply to whole classes of requests, so no endpoint is unlimited:
 * every API request per client IP, every write per IP and per signed-in user, webhook
 * deliveries per IP, and how many Idempotency-Keys a user may make the server remember.
 */
export interface RequestLimits {
  /** All /api requests from one IP (the webhook has its own budget). */
  apiPerIp: RequestHandler;
  /** Writes from one IP, signed in or not (signup, login, and every authenticated POST). */
  writesPerIp: RequestHandler;
  /** Writes of one signed-in user; mount after requireAuth. */
  writesPerUser: RequestHandler;
  webhookPerIp: RequestHandler;
  /** CSV exports of one signed-in user (reads, but each one walks their whole history). */
  exportsPerUser: RequestHandler;
  /** Spends one of the user's new-key allowance; resolves false when it is used up. */
  idempotencyKeys: IdempotencyKeyQuota;
}

export interface IdempotencyKeyQuota {
  take(userId: string): Promise<{ ok: true } | { ok: false; msBeforeNext: number }>;
}

const inMemory: LimiterFactory = (options) => new RateLimiterMemory(options);

function throttle(
  rl: RateLimiterAbstract,
  keyOf: (req: Request, res: Parameters<RequestHandler>[1]) => string | null,
  message: string,
  disabled: boolean,
): RequestHandler {
  return (req, res, next) => {
    const key = disabled ? null : keyOf(req, res);
    if (key === null) {
      next();
      return;
    }
    rl.consume(key).then(
      () => next(),
      (rej: unknown) => {
        if (rej instanceof RateLimiterRes) next(rateLimited(rej.msBeforeNext, message));
        else next(rej);
      },
    );
  };
}

/** `make`: where the counters live (the store's: shared by every instance on PostgreSQL). */
export function createRequestLimits(
  config: Config,
  make: LimiterFactory = inMemory,
): RequestLimits {
  const limiter = (name: string, points: number, durationSeconds: number) =>
    make({ keyPrefix: name, points, duration: durationSeconds });
  const r = config.rateLimits;
  const off = r.disabled;
  const isWrite = (req: Request) => WRITE_METHODS.has(req.method);
  const keysPerUser = limiter(
    'idempotency-keys',
    config.idempotencyMaxKeysPerUser,
    config.idempotencyKeyTtlHours * 3600,
  );
  return {
    apiPerIp: throttle(
      limiter('api-ip', r.apiPerIpPerMinute, 60),
      clientNetwork,
      'Too many requests from your network, please slow down',
      off,
    ),
    writesPerIp: throttle(
      limiter('writes-ip', r.writesPerIpPerMinute, 60),
      (req) => (isWrite(req) ? clientNetwork(req) : null),
      'Too many requests from your network, please slow down',
      off,
    ),
    writesPerUser: throttle(
      limiter('writes-user', r.writesPerUserPerMinute, 60),
      (req, res) => (isWrite(req) ? actorOf(res, userIdOnly).userId : null),
      'Too many requests, please slow down',
      off,
    ),
    webhookPerIp: throttle(
      limiter('webhook-ip', r.webhookPerIpPerMinute, 60),
      clientNetwork,
      'Too many webhook deliveries',
      off,
    ),
    exportsPerUser: throttle(
      limiter('exports-user', r.exportsPerUserPerMinute, 60),
      (_req, res) => actorOf(res, userIdOnly).userId,
      'Too many exports, please wait a minute',
      off,
    ),
    idempotencyKeys: {
      async take(userId) {
        if (off) return { ok: true };
        try {
          await keysPerUser.consume(userId);
          return { ok: true };
        } catch (rej) {
          if (rej instanceof RateLimiterRes) return { ok: false, msBeforeNext: rej.msBeforeNext };
          throw rej;
        }
      },
    },
  };
}
