import { randomBytes } from 'node:crypto';
import { createStripeEmulator } from './index.ts';

// Standalone emulator: `pnpm --filter @app/stripe-emulator start`. It binds loopback only, so
// it may serve the control API; the secret key is random unless given, because any page the
// developer opens could otherwise guess it and drive the emulator.
const port = Number(process.env.STRIPE_EMULATOR_PORT ?? 12111);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid STRIPE_EMULATOR_PORT: ${process.env.STRIPE_EMULATOR_PORT}`);
  process.exit(1);
}
const webhookSecret =
  process.env.STRIPE_WEBHOOK_SECRET || `whsec_${randomBytes(24).toString('base64url')}`;
const secretKey = process.env.STRIPE_SECRET_KEY || `sk_test_${randomBytes(24).toString('hex')}`;
const webhookUrl = process.env.STRIPE_WEBHOOK_URL || undefined;

const emulator = createStripeEmulator({
  webhookSecret,
  webhookUrl,
  secretKey,
  controlApi: true,
  nodeEnv: process.env.NODE_ENV,
});

const { url } = await emulator.listen(port, '127.0.0.1');
console.log(`Stripe emulator listening on ${url}`);
console.log(`  secret key:      ${secretKey}`);
console.log(`  publishable key: ${emulator.publishableKey} (or any pk_test_* key)`);
console.log(`  webhooks:        ${webhookUrl ?? '(none; set STRIPE_WEBHOOK_URL)'}`);
console.log(`  webhook secret:  ${webhookSecret}`);
console.log(`  control API:     ${url}/_emulator/* (secret key in the Authorization header)`);

const shutdown = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
