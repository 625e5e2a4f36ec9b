import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { AppDeps } from './app-deps.ts';
import type { Config } from './config.ts';
import { AuthThrottle } from './services/auth/login-throttle.ts';
import { AccountMailThrottle } from './services/accounts/mail-throttle.ts';
import { TokenService } from './services/auth/tokens.ts';
import type { ServiceContext } from './services/context.ts';
import type { VideoQueue } from './services/video/queue.ts';
import type { Store } from './store/types.ts';
import { createRequestLimits } from './http/request-limits.ts';
import { SseStreams } from './http/sse-streams.ts';
import { PromMetrics } from './ops/prom-metrics.ts';
import { createVideoStorage } from './video/storage/create-video-storage.ts';

const FILE_TOKEN_TTL_SECONDS = 6 * 3600;

/**
 * The composition root shared by main.ts and the tests, so both run the same wiring. Every
 * dependency a service uses is built here, once, and reaches services through `ctx` only.
 */
export function composeDeps(options: {
  config: Config;
  store: Store;
  log: Logger;
  stripe: Stripe;
  stripeEmulatorHandler?: RequestListener;
  videoQueue: VideoQueue;
  now?: () => Date;
}): AppDeps {
  const now = options.now ?? (() => new Date());
  const { store, config } = options;
  const metrics = new PromMetrics({ gauges: () => store.operationalGauges() });
  store.observeDriverErrors((kind) => metrics.databaseError(kind));
  options.videoQueue.observeRenders((r) => {
    metrics.renderFinished(r.outcome, r.seconds);
    metrics.credits('refunded', r.creditsRefunded);
  });
  const tokens = new TokenService(config.jwt, (sessionId, userId) =>
    store.isSessionActive({ sessionId, userId }),
  );
  const ctx: ServiceContext = {
    store,
    config,
    log: options.log,
    now,
    metrics,
    stripe: options.stripe,
    videoQueue: options.videoQueue,
    // Stateless over VIDEO_DIR: the worker's own instance sees the same files.
    videoStorage: createVideoStorage(config),
    tokens,
    throttles: {
      login: new AuthThrottle(config.rateLimits, config.bcrypt, store.rateLimiter),
      accountMail: new AccountMailThrottle(config.rateLimits, store.rateLimiter),
    },
    videoFileToken: (video) =>
      tokens.issue(video.userId, now(), FILE_TOKEN_TTL_SECONDS, `video-file:${video.id}`).token,
  };
  return {
    ctx,
    metrics,
    lifecycle: { shuttingDown: false },
    tokens,
    limits: createRequestLimits(config, store.rateLimiter),
    rateLimiter: store.rateLimiter,
    sseStreams: new SseStreams(config.sse),
    stripeEmulatorHandler: options.stripeEmulatorHandler,
  };
}
