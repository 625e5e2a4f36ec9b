import type { Payment } from '@app/shared';
import type { PaymentRecord } from '../store/types.ts';

/** Stripe ids, anomalies and the internal credited flag stay on the server. */
export const presentPayment = (p: PaymentRecord): Payment => ({
  id: p.id,
  packageId: p.packageId,
  packageName: p.packageName,
  amountCents: p.amountCents,
  currency: p.currency,
  credits: p.credits,
  status: p.status,
  amountRefundedCents: p.amountRefundedCents,
  creditsClawedBack: p.creditsClawedBack,
  failureMessage: p.failureMessage,
  card: p.cardBrand && p.cardLast4 ? { brand: p.cardBrand, last4: p.cardLast4 } : null,
  hasReceipt: p.creditedAt !== null,
  stripeReceiptUrl: p.stripeReceiptUrl,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});
