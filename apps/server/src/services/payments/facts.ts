import type Stripe from 'stripe';
import { chargeDetails } from './card-details.ts';
import type { PaymentFacts } from './settlement.ts';

/** Reads what a PaymentIntent says about its payment, whichever way it reached us. */
export function factsFromIntent(pi: Stripe.PaymentIntent): PaymentFacts {
  switch (pi.status) {
    case 'succeeded':
      return {
        succeeded: { amountReceived: pi.amount_received, currency: pi.currency },
        ...chargeDetails(pi.latest_charge),
      };
    case 'canceled':
      return { canceled: true };
    case 'requires_action':
      return { requiresAction: true };
    case 'requires_payment_method':
      return pi.last_payment_error
        ? { failed: { message: pi.last_payment_error.message ?? 'The payment failed' } }
        : {};
    default:
      return {};
  }
}

export function factsFromCharge(charge: Stripe.Charge): PaymentFacts {
  return {
    ...chargeDetails(charge),
    amountRefundedCents: charge.amount_refunded,
    ...(charge.paid && charge.status === 'succeeded'
      ? {
          succeeded: {
            amountReceived: charge.amount_captured ?? charge.amount,
            currency: charge.currency,
          },
        }
      : {}),
  };
}

export function disputeFacts(dispute: Stripe.Dispute, closed: boolean): PaymentFacts {
  const status = !closed ? 'open' : dispute.status === 'lost' ? 'lost' : 'won';
  return { dispute: { id: dispute.id, status } };
}

export const intentIdOf = (value: string | { id: string } | null | undefined): string | null =>
  value == null ? null : typeof value === 'string' ? value : value.id;
