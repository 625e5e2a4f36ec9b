import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ClientConfig } from '@app/shared';
import { LOW_BALANCE_THRESHOLD } from '@app/shared';
import type { AppDeps } from './app-deps.ts';
import { errorHandler, notFoundHandler, requireJson } from './http/error-handler.ts';
import { emulatorProxy } from './http/emulator-proxy.ts';
import { mountHealth } from './http/health.ts';
import { publicMetrics } from './http/metrics-endpoint.ts';
import { requestMetrics } from './http/request-metrics.ts';
import { requireHttps } from './http/require-https.ts';
import { docsPage, openApiDocument } from './http/openapi.ts';
import { rejectDeepJson } from './http/json-depth.ts';
import { rejectNulText } from './http/nul-text.ts';
import { requestLogging } from './http/request-context.ts';
import { corsPolicy, noStore, securityHeaders } from './http/security.ts';
import { accountRouter } from './routes/account.ts';
import { adminRouter } from './routes/admin.ts';
import { authRouter } from './routes/auth.ts';
import { creditsRouter } from './routes/credits.ts';
import { mountStripeWebhook, paymentsRouter } from './routes/payments.ts';
import { videoRouter } from './routes/video.ts';

/** Builds the whole HTTP application from its dependencies; it never listens. */
export function createApp(deps: AppDeps): Express {
  const { config } = deps.ctx;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);

  app.use(requestMetrics(deps.ctx.metrics));
  app.use(
    requestLogging(deps.ctx.log, { clientErrorsPerMinute: config.logClientErrorsPerIpPerMinute }),
  );
  if (config.env === 'production') app.use(requireHttps(config.publicUrl));
  app.use(securityHeaders());
  app.use('/api', corsPolicy(config.frontendUrl), noStore);

  mountHealth(app, deps);
  app.get('/metrics', publicMetrics(deps.metrics, config.metrics.token));

  mountStripeWebhook(app, deps);
  app.use(['/api', '/emulator'], deps.limits.apiPerIp, deps.limits.writesPerIp);
  const emulator = deps.stripeEmulatorHandler;
  if (emulator) app.use('/emulator/stripe', emulatorProxy(emulator, config.stripe.publishableKey));

  app.use(
    '/api',
    requireJson,
    express.json({ limit: config.bodyLimit, strict: true }),
    rejectDeepJson,
    rejectNulText,
  );

  app.get('/api/config', (_req, res) => {
    const body: ClientConfig = {
      stripePublishableKey: config.stripe.publishableKey,
      stripeMode: config.stripe.mode,
      stripeEmulatorUrl: config.stripe.mode === 'emulator' ? '/emulator/stripe' : null,
      lowBalanceThreshold: LOW_BALANCE_THRESHOLD,
      requireVerifiedEmail: config.requireVerifiedEmail,
    };
    res.json(body);
  });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.get('/api/docs', (_req, res) => {
    res.type('html').send(docsPage());
  });

  app.use('/api/auth', authRouter(deps));
  app.use('/api/account', accountRouter(deps));
  app.use('/api/credits', creditsRouter(deps));
  app.use('/api/payments', paymentsRouter(deps));
  app.use('/api/video', videoRouter(deps));
  app.use('/api/admin', adminRouter(deps));
  app.use('/api', notFoundHandler);

  serveWebApp(app, config.webDistDir);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

/** The built SPA is served from the same origin; unknown non-API paths get index.html. */
function serveWebApp(app: Express, distDir: string) {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) return;
  app.use(express.static(distDir, { index: false, maxAge: '1h' }));
  app.get(/^\/(?!api\/|emulator\/).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
