import type Stripe from 'stripe';
import type { ServiceContext } from '../context.ts';
import type { PaymentFacts } from './settlement.ts';

/** The card and Stripe's receipt page of a charge, when the charge object is at hand. */
export function chargeDetails(
  charge: Stripe.Charge | string | null | undefined,
): Pick<PaymentFacts, 'card' | 'receiptUrl'> {
  if (!charge || typeof charge === 'string') return {};
  const card = charge.payment_method_details?.card;
  return {
    ...(card?.brand && card.last4 ? { card: { brand: card.brand, last4: card.last4 } } : {}),
    ...(charge.receipt_url ? { receiptUrl: charge.receipt_url } : {}),
  };
}

/**
 * A `payment_intent.succeeded` event names its charge by id only. For a payment about to be
 * credited the charge is read once, so the receipt can show the card; if Stripe cannot answer,
 * the payment is credited all the same and the receipt says "card" without the digits.
 */
export async function fetchChargeDetails(options: {
  ctx: ServiceContext;
  input: { intent: Stripe.PaymentIntent };
}): Promise<Pick<PaymentFacts, 'card' | 'receiptUrl'>> {
  const { ctx } = options;
  const { intent } = options.input;
  if (typeof intent.latest_charge !== 'string') return chargeDetails(intent.latest_charge);
  const payment = await ctx.store.findPaymentByIntent({ paymentIntentId: intent.id });
  if (!payment || payment.credited) return {};
  try {
    return chargeDetails(await ctx.stripe.charges.retrieve(intent.latest_charge));
  } catch (err) {
    ctx.log.warn({ err, paymentId: payment.id }, 'could not read the charge for the receipt');
    return {};
  }
}
