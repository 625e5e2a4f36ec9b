import type Stripe from 'stripe';
import type { ConfirmPaymentRequest, ConfirmPaymentResponse } from '@app/shared';
import { AppError, notFound } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { providerError } from './provider-error.ts';
import { settleFromIntent } from './settle-from-intent.ts';

/**
 * Re-reads the PaymentIntent from Stripe (never trusting the browser) and settles it. Safe to
 * repeat and to race the webhook: the purchase entry is unique per payment.
 */
export async function confirmPayment(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: ConfirmPaymentRequest;
}): Promise<ConfirmPaymentResponse> {
  const { ctx, actor, input } = options;
  const payment = await ctx.store.findPaymentByIntent({ paymentIntentId: input.paymentIntentId });
  if (!payment || payment.userId !== actor.userId) throw notFound('Payment');
  let intent: Stripe.PaymentIntent;
  try {
    // With its charge: the card and the receipt page go on the receipt.
    intent = await ctx.stripe.paymentIntents.retrieve(input.paymentIntentId, {
      expand: ['latest_charge'],
    });
  } catch (err) {
    throw providerError(err);
  }
  if (intent.metadata?.payment_id !== payment.id) {
    ctx.log.error(
      { alert: true, paymentId: payment.id, intentId: intent.id },
      'PaymentIntent metadata does not match the payment',
    );
    throw new AppError('INVALID_STATE', 'This payment cannot be confirmed');
  }
  return settleFromIntent(ctx, intent);
}
