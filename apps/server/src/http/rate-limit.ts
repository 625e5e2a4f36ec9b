import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../errors.ts';
import { actorOf } from './auth.ts';

/** Per-user limit for spending and payment endpoints, enforced before any work is done. */
export function perUserLimit(options: {
  name: string;
  perMinute: number;
  disabled: boolean;
}): RequestHandler {
  const limiter = new RateLimiterMemory({
    keyPrefix: options.name,
    points: options.perMinute,
    duration: 60,
  });
  return (_req, res, next) => {
    if (options.disabled) {
      next();
      return;
    }
    limiter.consume(actorOf(res).userId).then(
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
