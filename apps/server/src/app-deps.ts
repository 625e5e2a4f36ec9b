import type { ServiceContext } from './services/context.ts';
import type { AuthThrottle } from './services/auth/login-throttle.ts';
import type { TokenService } from './services/auth/tokens.ts';
import type { Express, Router } from 'express';
import type { VideoRecord } from './store/types.ts';

/** Everything the HTTP layer needs, built once by the composition root (main.ts or a test). */
export interface AppDeps {
  ctx: ServiceContext;
  tokens: TokenService;
  throttle: AuthThrottle;
  videoFileToken: (video: VideoRecord) => string;
  /** Routes that need the raw body (the Stripe webhook) or no JSON parsing at all. */
  mountBeforeJson?: (app: Express) => void;
  /** Area routers added by their issues (payments, video), mounted under their own paths. */
  routers?: Array<{ path: string; router: Router }>;
}
