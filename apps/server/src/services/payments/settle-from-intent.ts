import type Stripe from 'stripe';
import type { ConfirmPaymentResponse } from '@app/shared';
import { notFound } from '../../errors.ts';
import { presentPayment } from '../../presenters/payment.ts';
import type { ServiceContext } from '../context.ts';
import { factsFromIntent } from './facts.ts';
import { decidePayment } from './settlement.ts';
import { updatePayment } from './update-payment.ts';

/** Settles a payment from a PaymentIntent just read from Stripe, and answers as a confirm does. */
export async function settleFromIntent(
  ctx: ServiceContext,
  intent: Stripe.PaymentIntent,
): Promise<ConfirmPaymentResponse> {
  const result = await updatePayment({
    ctx,
    input: {
      paymentIntentId: intent.id,
      decide: decidePayment(factsFromIntent(intent)),
      now: ctx.now().toISOString(),
    },
  });
  if (result.kind !== 'applied') throw notFound('Payment');
  return { payment: presentPayment(result.payment), creditBalance: result.balance };
}
