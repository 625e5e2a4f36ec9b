import type Stripe from 'stripe';
import type { ConfirmPaymentResponse, CreatePaymentIntentResponse } from '@app/shared';
import { AppError, notFound } from '../../errors.ts';
import { presentPayment } from '../../presenters/payment.ts';
import type { PaymentRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { providerError } from './provider-error.ts';
import { settleFromIntent } from './settle-from-intent.ts';

/**
 * A payment left waiting (3-D Secure interrupted by a reload, a closed tab) can be finished or
 * abandoned by its owner from the payment history. Someone else's payment is a 404, like one
 * that does not exist.
 */
const OPEN_STATUSES: ReadonlyArray<PaymentRecord['status']> = ['pending', 'requires_action'];

async function ownOpenPayment(ctx: ServiceContext, actor: Actor, paymentId: string) {
  const payment = await ctx.store.findPayment({ id: paymentId });
  if (!payment || payment.userId !== actor.userId) throw notFound('Payment');
  return payment;
}

/** The intent's client secret again, so the browser can reopen the bank's challenge. */
export async function resumePayment(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: { paymentId: string };
}): Promise<CreatePaymentIntentResponse> {
  const { ctx, actor } = options;
  const payment = await ownOpenPayment(ctx, actor, options.input.paymentId);
  if (!OPEN_STATUSES.includes(payment.status) || !payment.stripePaymentIntentId) {
    throw new AppError('INVALID_STATE', 'This payment is no longer waiting for you');
  }
  let intent: Stripe.PaymentIntent;
  try {
    intent = await ctx.stripe.paymentIntents.retrieve(payment.stripePaymentIntentId);
  } catch (err) {
    throw providerError(err);
  }
  if (!intent.client_secret || intent.metadata?.payment_id !== payment.id) {
    throw new AppError('INVALID_STATE', 'This payment is no longer waiting for you');
  }
  return {
    paymentId: payment.id,
    paymentIntentId: intent.id,
    clientSecret: intent.client_secret,
    amountCents: payment.amountCents,
    currency: payment.currency,
    credits: payment.credits,
  };
}

/**
 * Cancels a payment still waiting for the customer. Idempotent: an already canceled payment is
 * answered as it is. If the customer finished paying in the meantime, the cancel fails at
 * Stripe and the payment is settled from the intent instead (credits added, never lost).
 */
export async function cancelPendingPayment(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: { paymentId: string };
}): Promise<ConfirmPaymentResponse> {
  const { ctx, actor } = options;
  const { stripe } = ctx;
  const payment = await ownOpenPayment(ctx, actor, options.input.paymentId);
  if (payment.status === 'canceled') {
    const balance = await ctx.store.getBalance({ userId: actor.userId });
    return { payment: presentPayment(payment), creditBalance: balance?.creditBalance ?? 0 };
  }
  if (!OPEN_STATUSES.includes(payment.status)) {
    throw new AppError('INVALID_STATE', 'Only a payment that is still waiting can be canceled');
  }
  if (!payment.stripePaymentIntentId) {
    throw new AppError('INVALID_STATE', 'This payment has not reached the payment provider yet');
  }
  let intent: Stripe.PaymentIntent;
  try {
    intent = await stripe.paymentIntents.cancel(payment.stripePaymentIntentId, {
      cancellation_reason: 'abandoned',
    });
  } catch (err) {
    // Already succeeded or canceled at Stripe: settle from what Stripe says.
    try {
      intent = await stripe.paymentIntents.retrieve(payment.stripePaymentIntentId);
    } catch {
      throw providerError(err);
    }
  }
  return settleFromIntent(ctx, intent);
}
