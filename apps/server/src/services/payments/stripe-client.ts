import Stripe from 'stripe';
import type { Config } from '../../config.ts';

/**
 * The official SDK, pointed at real Stripe or at a Stripe-compatible server (the bundled
 * emulator, stripe-mock). Network retries reuse the same idempotency key, so a lost
 * response never makes a second PaymentIntent.
 */
export function createStripeClient(stripe: Config['stripe'], apiBase = stripe.apiBase): Stripe {
  return new Stripe(stripe.secretKey, {
    maxNetworkRetries: 2,
    timeout: 10_000,
    telemetry: false,
    ...(apiBase
      ? {
          host: apiBase.hostname,
          port: Number(apiBase.port || (apiBase.protocol === 'https:' ? 443 : 80)),
          protocol: apiBase.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
