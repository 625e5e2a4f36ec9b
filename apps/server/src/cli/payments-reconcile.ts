import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createStripeClient } from '../services/payments/stripe-client.ts';
import { reconcilePayments } from '../services/payments/reconcile.ts';
import { openConfiguredStore } from '../store/open-store.ts';
import { PromMetrics } from '../ops/prom-metrics.ts';

/**
 * `pnpm payments:reconcile [hours]`: credits every succeeded PaymentIntent of the last
 * `hours` (default 72) whose webhook never arrived. Idempotent: a second run changes nothing.
 * Without Stripe keys it talks to the emulator of the running local server.
 */
async function main() {
  const hours = Number(process.argv[2] ?? 72);
  if (!Number.isFinite(hours) || hours <= 0) {
    console.error('usage: payments:reconcile [hours > 0]');
    process.exit(2);
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const apiBase =
    config.stripe.mode === 'emulator'
      ? new URL(`http://127.0.0.1:${config.stripe.emulatorPort}`)
      : config.stripe.apiBase;
  const stripe = createStripeClient(config.stripe, apiBase);
  // The configured database: the SQLite file, or PostgreSQL when DATABASE_URL is set.
  const { store } = await openConfiguredStore(config);
  try {
    const report = await reconcilePayments({
      // Findings are in the printed report; the counters die with this process.
      ctx: {
        store,
        config,
        log,
        now: () => new Date(),
        metrics: new PromMetrics({ defaultMetrics: false }),
        stripe,
      },
      input: { sinceSeconds: Math.round(hours * 3600) },
    });
    console.log(JSON.stringify(report, null, 2));
    if (report.anomalies.length > 0) process.exitCode = 1;
  } finally {
    await store.close();
  }
}

void main();
