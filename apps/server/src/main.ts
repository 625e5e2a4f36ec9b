import { createApp } from './app.ts';
import { composeDeps } from './compose.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startStripeRuntime } from './stripe-runtime.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import { createVideoWorker } from './video/create-worker.ts';
import { schedulePruning } from './services/idempotency/prune-expired-keys.ts';

/** Expired idempotency keys are looked for this often (they expire after IDEMPOTENCY_KEY_TTL_HOURS). */
const PRUNE_INTERVAL_MS = 15 * 60 * 1000;

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const store = openSqliteStore(config.databasePath, { busyTimeoutMs: config.dbBusyTimeoutMs });
  const released = await store.releaseAllInProgressRequests();
  if (released > 0) log.warn({ released }, 'released idempotency keys left by a previous process');

  const stripeRuntime = await startStripeRuntime(config);
  if (stripeRuntime.emulator)
    log.warn('no Stripe keys configured: using the bundled Stripe emulator (test mode)');
  const worker = createVideoWorker({ config, store, log });
  const deps = composeDeps({
    config,
    store,
    log,
    videoQueue: worker,
    stripe: stripeRuntime.stripe,
    stripeEmulatorHandler: stripeRuntime.emulatorHandler,
  });
  const app = createApp(deps);
  await worker.start();
  const stopPruning = schedulePruning({ ctx: deps.ctx, intervalMs: PRUNE_INTERVAL_MS });
  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    stripeRuntime.setWebhookTarget(`http://${host}:${port}`);
    // Tests and scripts wait for this exact line.
    console.log(`listening on http://${host}:${port}`);
    log.info({ port, stripeMode: config.stripe.mode, env: config.env }, 'server started');
  });

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    stopPruning();
    server.close(() => {
      void worker
        .stop()
        .then(() => Promise.all([stripeRuntime.close(), store.close()]))
        .then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
