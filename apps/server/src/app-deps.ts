import type { ServiceContext } from './services/context.ts';
import type { AuthThrottle } from './services/auth/login-throttle.ts';
import type { TokenService } from './services/auth/tokens.ts';
import type { RequestListener } from 'node:http';
import type Stripe from 'stripe';
import type { VideoQueue } from './services/video/queue.ts';
import type { VideoRecord } from './store/types.ts';

/** Everything the HTTP layer needs, built once by the composition root (main.ts or a test). */
export interface AppDeps {
  ctx: ServiceContext;
  tokens: TokenService;
  throttle: AuthThrottle;
  videoFileToken: (video: VideoRecord) => string;
  stripe: Stripe;
  videoQueue: VideoQueue;
  /** The bundled Stripe emulator's HTTP API, served same-origin for the browser checkout. */
  stripeEmulatorHandler?: RequestListener;
}
