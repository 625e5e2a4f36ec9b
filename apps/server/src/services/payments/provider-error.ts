import Stripe from 'stripe';
import { AppError } from '../../errors.ts';

/** Stripe's failures become one clear, retryable 502 without leaking Stripe's internals. */
export function providerError(err: unknown): AppError {
  if (err instanceof Stripe.errors.StripeCardError) {
    return new AppError('PAYMENT_FAILED', err.message);
  }
  return new AppError(
    'PAYMENT_PROVIDER_UNAVAILABLE',
    'The payment provider is not reachable right now, please try again',
    undefined,
    { 'Retry-After': '5' },
  );
}
