import type { Express } from 'express';
import type { AppDeps } from '../app-deps.ts';
import { AppError } from '../errors.ts';
import { checkReadiness, type Readiness } from '../services/health/check-readiness.ts';

/** A readiness answer is reused this long, so polling /readyz cannot become a write load. */
const READY_CACHE_MS = 1000;

/**
 * `/healthz`: the process answers (liveness). `/readyz`: it can serve (readiness), 503 with
 * the reasons otherwise. Both live outside /api: no rate limits, no HTTPS redirect.
 */
export function mountHealth(app: Express, deps: AppDeps): void {
  let last: { at: number; result: Promise<Readiness> } | undefined;
  const readiness = () => {
    const now = Date.now();
    if (!last || now - last.at >= READY_CACHE_MS) {
      last = {
        at: now,
        result: checkReadiness({
          ctx: deps.ctx,
          input: { shuttingDown: deps.lifecycle.shuttingDown },
        }),
      };
    }
    return last.result;
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    // Shutdown must show at once, not after the cached answer expires.
    const result = deps.lifecycle.shuttingDown
      ? { ready: false, reasons: ['shutting down'] }
      : await readiness();
    if (!result.ready) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        'Not ready',
        { reasons: result.reasons },
        {
          'Retry-After': '5',
        },
      );
    }
    res.json({ status: 'ready' });
  });
}
