import type { ServiceContext } from './services/context.ts';
import type { TokenService } from './services/auth/tokens.ts';
import type { RequestListener } from 'node:http';
import type { LimiterFactory } from './store/types.ts';
import type { RequestLimits } from './http/request-limits.ts';
import type { SseStreams } from './http/sse-streams.ts';
import type { PromMetrics } from './ops/prom-metrics.ts';

/**
 * Everything the HTTP layer needs, built once by the composition root (main.ts or a test).
 * What services use is in `ctx` alone; the rest serves the middlewares.
 */
export interface AppDeps {
  ctx: ServiceContext;
  /** The same metrics as `ctx.metrics`, with their Prometheus exposition. */
  metrics: PromMetrics;
  /** Set by the SIGTERM handler: /readyz fails from then on, so a balancer drains us. */
  lifecycle: { shuttingDown: boolean };
  /** The same as `ctx.tokens`: the authentication middlewares verify with it. */
  tokens: TokenService;
  limits: RequestLimits;
  /** Rate limiters whose counters every instance shares (the store's). */
  rateLimiter: LimiterFactory;
  sseStreams: SseStreams;
  /** The bundled Stripe emulator's HTTP API, served same-origin for the browser checkout. */
  stripeEmulatorHandler?: RequestListener;
}
