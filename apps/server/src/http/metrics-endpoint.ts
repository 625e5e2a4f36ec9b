import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { RequestHandler } from 'express';
import type { PromMetrics } from '../ops/prom-metrics.ts';
import { errorBody } from '../errors.ts';
import { bearerToken } from './auth.ts';

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * `/metrics` on the public port: only with METRICS_TOKEN configured and sent as a bearer
 * token. Anything else is the plain 404 of an unknown path, so the endpoint cannot be found.
 */
export function publicMetrics(metrics: PromMetrics, token: string | undefined): RequestHandler {
  return (req, res, next) => {
    const sent = bearerToken(req.headers.authorization);
    if (!token || !sent || !sameSecret(sent, token)) {
      res.status(404).json(errorBody('NOT_FOUND', 'No such endpoint'));
      return;
    }
    metrics
      .expose()
      .then(({ contentType, body }) => {
        res.setHeader('Cache-Control', 'no-store');
        res.type(contentType).send(body);
      })
      .catch(next);
  };
}

/**
 * The metrics-only listener on 127.0.0.1 (for a Prometheus or agent on the same machine):
 * it serves `GET /metrics` and nothing else, and is never reachable from the network.
 */
export function startLoopbackMetrics(
  metrics: PromMetrics,
  port: number,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.expose().then(
      ({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}
