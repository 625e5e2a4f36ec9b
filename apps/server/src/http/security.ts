import cors from 'cors';
import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Stripe.js and its iframes are the only third-party origins the web app talks to; the
 * Payment Element needs them for checkout with real keys.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    strictTransportSecurity: { maxAge: 63072000, includeSubDomains: true },
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'", 'https://js.stripe.com'],
        'frame-src': ["'self'", 'https://js.stripe.com', 'https://hooks.stripe.com'],
        'connect-src': ["'self'", 'https://api.stripe.com'],
        'img-src': ["'self'", 'data:', 'https://*.stripe.com'],
        'media-src': ["'self'", 'blob:'],
        'style-src': ["'self'", "'unsafe-inline'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}

/** Only the configured frontend origin is echoed back; any other origin gets no CORS grant. */
export function corsPolicy(frontendUrl: string | undefined): RequestHandler {
  const allowed = frontendUrl ? new URL(frontendUrl).origin : undefined;
  return cors({
    origin: (origin, callback) => callback(null, allowed !== undefined && origin === allowed),
    credentials: false,
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: ['Retry-After', 'X-Request-Id', 'Idempotent-Replayed'],
    maxAge: 600,
  });
}

/**
 * API answers are per-user (balances, payments, tokens): no browser, proxy or CDN may keep
 * a copy. Routes that serve cacheable bytes (video files) set their own header.
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
