import { createApp } from './app.ts';
import { createLimitedServer } from './http/server-limits.ts';
import { gracefulClose } from './http/graceful-close.ts';
import { startLoopbackMetrics } from './http/metrics-endpoint.ts';
import { composeDeps } from './compose.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { scheduleBackups } from './ops/backups.ts';
import { writePidFile } from './ops/pid-file.ts';
import { startStripeRuntime } from './stripe-runtime.ts';
import { openConfiguredStore } from './store/open-store.ts';
import { createVideoWorker } from './video/create-worker.ts';
import { schedulePruning } from './services/pruning/schedule-pruning.ts';
import { startMail } from './mail/start-mail.ts';

/** Expired idempotency keys, webhook events and sessions are looked for this often. */
const PRUNE_INTERVAL_MS = 15 * 60 * 1000;

async function main() {
  // Database, WAL, videos and secrets are created readable by the server's user only.
  process.umask(0o077);
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
  const opened = await openConfiguredStore(config);
  const store = opened.store;
  if (opened.kind === 'sqlite') {
    // Read back from the server's own connection (the pragma is per connection): the D1 test
    // and operators can see which durability the process really runs with.
    const durability = opened.store.durability();
    console.log(
      `sqlite: journal_mode=${durability.journalMode} synchronous=${durability.synchronous} ` +
        `wal_flush_before_ack=${durability.walFlushBeforeAck ? 'on' : 'off'}`,
    );
  } else {
    console.log(`postgres: ${config.instanceCount > 1 ? 'several instances' : 'one instance'}`);
  }

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
  const mail = await startMail(deps.ctx);
  const stopPruning = schedulePruning({
    ctx: deps.ctx,
    input: { intervalMs: PRUNE_INTERVAL_MS },
  });
  // PostgreSQL is backed up by its own tools (pg_dump, base backups + WAL archiving).
  const stopBackups =
    opened.kind === 'sqlite'
      ? scheduleBackups({ db: opened.store.db, ...config.backups, log })
      : () => undefined;
  const removePidFile = writePidFile(config.dataDir);
  const server = createLimitedServer(app, config.server);
  const connections = gracefulClose(server);
  // With METRICS_TOKEN, Prometheus scrapes the public port; without it, only this machine can.
  const metricsServer = config.metrics.token
    ? undefined
    : startLoopbackMetrics(deps.metrics, config.metrics.port).then(
        ({ server: s, port }) => {
          console.log(`metrics on http://127.0.0.1:${port}/metrics`);
          return s;
        },
        (err: unknown) => {
          log.error({ alert: true, err, port: config.metrics.port }, 'metrics listener failed');
          return undefined;
        },
      );
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    stripeRuntime.setWebhookTarget(`http://${host}:${port}`);
    mail.setListenUrl(`http://${host}:${port}`);
    stripeRuntime.setReceiptBase(`${config.publicUrl ?? `http://${host}:${port}`}/emulator/stripe`);
    // Tests and scripts wait for this exact line.
    console.log(`listening on http://${host}:${port}`);
    if (stripeRuntime.emulator) {
      const loopback = ['127.0.0.1', 'localhost', '::1'].includes(config.host);
      console.log(
        loopback
          ? `emulator (test) mode: listening on ${config.host} only; set HOST to listen elsewhere`
          : `emulator (test) mode: listening on ${config.host} because HOST is set`,
      );
    }
    log.info(
      { host: config.host, port, stripeMode: config.stripe.mode, env: config.env },
      'server started',
    );
  });

  let stopping = false;
  /**
   * Stop accepting and fail /readyz; let in-flight requests and running renders finish within
   * SHUTDOWN_GRACE_MS (renders still running then stay `processing` and are rendered again at
   * the next start, never charged twice); then close mail, the emulator and the database.
   */
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.lifecycle.shuttingDown = true;
    const graceMs = config.shutdownGraceMs;
    log.info({ signal, graceMs, inFlight: connections.inFlight() }, 'shutting down');
    // Tests and scripts wait for this exact line.
    console.log('shutting down');
    setTimeout(() => {
      log.error({ alert: true }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, graceMs + 15_000).unref();
    stopPruning();
    const backupsStopped = stopBackups();
    const [, drained] = await Promise.all([connections.close(graceMs), worker.drain(graceMs)]);
    if (drained.interrupted > 0) {
      log.warn(
        { interrupted: drained.interrupted },
        'renders left to be resumed at the next start',
      );
    }
    (await metricsServer)?.close();
    await mail.stop();
    await stripeRuntime.close();
    await backupsStopped;
    await store.close();
    removePidFile();
    log.info('shut down');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
