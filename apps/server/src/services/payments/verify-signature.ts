import type Stripe from 'stripe';
import { AppError } from '../../errors.ts';

const invalid = () => new AppError('INVALID_SIGNATURE', 'Webhook signature verification failed');

/**
 * Stripe's own verification (HMAC, constant-time compare, tolerance for old timestamps),
 * plus what stripe-node leaves out: a timestamp too far in the future is refused as well.
 * The tolerance is validated to be positive at start-up, since 0 disables the check.
 * During an endpoint secret roll two secrets are live: a delivery signed with either passes.
 */
export function verifyWebhook(options: {
  stripe: Stripe;
  rawBody: Buffer;
  signature: string | undefined;
  secrets: readonly string[];
  toleranceSeconds: number;
  now: Date;
}): Stripe.Event {
  const { signature, toleranceSeconds } = options;
  if (!signature || !Number.isInteger(toleranceSeconds) || toleranceSeconds <= 0) throw invalid();
  const timestamps = signature
    .split(',')
    .map((part) => part.split('='))
    .filter(([k]) => k === 't')
    .map(([, v]) => Number(v));
  if (timestamps.length !== 1 || !Number.isInteger(timestamps[0])) throw invalid();
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  if (timestamps[0]! > nowSeconds + toleranceSeconds) throw invalid();
  for (const secret of options.secrets) {
    try {
      return options.stripe.webhooks.constructEvent(
        options.rawBody,
        signature,
        secret,
        toleranceSeconds,
        undefined,
        options.now.getTime(), // milliseconds: stripe-node divides by 1000
      );
    } catch {
      // Try the next live secret; none matching is one refusal below.
    }
  }
  throw invalid();
}
