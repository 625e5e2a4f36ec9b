import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { AppDeps } from './app-deps.ts';
import type { Config } from './config.ts';
import { AuthThrottle } from './services/auth/login-throttle.ts';
import { TokenService } from './services/auth/tokens.ts';
import type { ServiceContext } from './services/context.ts';
import type { VideoQueue } from './services/video/queue.ts';
import type { Store } from './store/types.ts';

const FILE_TOKEN_TTL_SECONDS = 6 * 3600;

/** The composition root shared by main.ts and the tests, so both run the same wiring. */
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
  const ctx: ServiceContext = {
    store: options.store,
    config: options.config,
    log: options.log,
    now,
  };
  const tokens = new TokenService(options.config.jwt);
  return {
    ctx,
    tokens,
    throttle: new AuthThrottle(options.config.rateLimits),
    stripe: options.stripe,
    videoQueue: options.videoQueue,
    stripeEmulatorHandler: options.stripeEmulatorHandler,
    videoFileToken: (video) =>
      tokens.issue(video.userId, now(), FILE_TOKEN_TTL_SECONDS, `video-file:${video.id}`).token,
  };
}
