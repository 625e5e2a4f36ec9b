import type { RequestHandler } from 'express';
import { AppError } from '../errors.ts';

/** Probes come from the balancer or orchestrator over plain HTTP, on the internal network. */
const EXEMPT = new Set(['/healthz', '/readyz']);

/**
 * Production only: a request that did not arrive over HTTPS (the socket, or X-Forwarded-Proto
 * from a proxy trusted by TRUST_PROXY) never reaches the API. A GET or HEAD is redirected to
 * the same path under PUBLIC_URL with https (308), never to the Host the client sent; any
 * other method is refused (400 HTTPS_REQUIRED), since its body and token already crossed in
 * clear text and a redirect would teach clients to repeat that.
 */
export function requireHttps(publicUrl: string | undefined): RequestHandler {
  const base = publicUrl ? new URL(publicUrl) : undefined;
  if (base) base.protocol = 'https:';
  return (req, res, next) => {
    if (req.secure || EXEMPT.has(req.path)) {
      next();
      return;
    }
    if (base && (req.method === 'GET' || req.method === 'HEAD')) {
      const prefix = base.pathname.replace(/\/+$/, '');
      res.redirect(308, `${base.origin}${prefix}${req.originalUrl}`);
      return;
    }
    next(new AppError('HTTPS_REQUIRED', 'Use HTTPS: plain-HTTP requests are refused'));
  };
}
