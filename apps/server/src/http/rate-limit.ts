import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../errors.ts';
import { actorOf, userIdOnly } from './auth.ts';
import type { LimiterFactory } from '../store/types.ts';

/** Per-user limit for spending and payment endpoints, enforced before any work is done. */
export function perUserLimit(options: {
  name: string;
  perMinute: number;
  disabled: boolean;
  /** Where the counters live (AppDeps.rateLimiter: shared by every instance). */
  make?: LimiterFactory;
}): RequestHandler {
  const make = options.make ?? ((o) => new RateLimiterMemory(o));
  const limiter = make({
    keyPrefix: options.name,
    points: options.perMinute,
    duration: 60,
  });
  return (_req, res, next) => {
    if (options.disabled) {
      next();
      return;
    }
    limiter.consume(actorOf(res, userIdOnly).userId).then(
      () => next(),
      (rej: unknown) => {
        if (!(rej instanceof RateLimiterRes)) {
          next(rej);
          return;
        }
        next(rateLimited(rej.msBeforeNext, 'Too many requests, please slow down'));
      },
    );
  };
}
