import { createStripeEmulator } from './index.ts';

// Standalone emulator: `pnpm --filter @app/stripe-emulator start`.
const port = Number(process.env.STRIPE_EMULATOR_PORT ?? 12111);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid STRIPE_EMULATOR_PORT: ${process.env.STRIPE_EMULATOR_PORT}`);
  process.exit(1);
}
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET || 'whsec_emulator_local_secret';
const webhookUrl = process.env.STRIPE_WEBHOOK_URL || undefined;

const emulator = createStripeEmulator({
  webhookSecret,
  webhookUrl,
  nodeEnv: process.env.NODE_ENV,
});

const { url } = await emulator.listen(port, '127.0.0.1');
console.log(`Stripe emulator listening on ${url}`);
console.log(`  secret key:      any sk_test_* key`);
console.log(`  publishable key: ${emulator.publishableKey} (or any pk_test_* key)`);
console.log(`  webhooks:        ${webhookUrl ?? '(none; POST /_emulator/webhook_url to set)'}`);
console.log(`  webhook secret:  ${webhookSecret}`);

const shutdown = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
