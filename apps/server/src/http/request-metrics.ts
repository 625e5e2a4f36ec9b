import type { RequestHandler } from 'express';
import type { Metrics } from '../services/metrics.ts';

/**
 * Counts and times every request under its route pattern (`/api/video/:id`), never its raw
 * URL, so the number of series stays bounded whatever clients send. The pattern is taken when
 * Express assigns `req.route`, because that is the only moment `req.baseUrl` still holds the
 * router's mount path: an error that leaves the router resets it before the response ends.
 */
export function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    let route: unknown;
    let label = 'unmatched';
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: (value: { path?: unknown } | undefined) => {
        route = value;
        const path = value?.path;
        // The web app's catch-all is a RegExp: one label for all of it.
        label = typeof path === 'string' ? `${req.baseUrl}${path}` : 'web';
      },
    });
    res.once('finish', () => {
      metrics.httpRequest({
        method: req.method,
        route: label,
        status: res.statusCode,
        seconds: (performance.now() - started) / 1000,
      });
    });
    next();
  };
}
