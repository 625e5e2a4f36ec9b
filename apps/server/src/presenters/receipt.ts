import { PRODUCT_NAME, type Receipt } from '@app/shared';
import type { PackageRecord, PaymentRecord, UserRecord } from '../store/types.ts';

/** One receipt for the page and the mail, so they cannot disagree. */
export function presentReceipt(
  payment: PaymentRecord,
  pkg: PackageRecord | null,
  user: UserRecord,
): Receipt {
  // The package row gives the split; the payment keeps the total it was sold with.
  const bonus = pkg ? Math.min(pkg.bonusCredits, payment.credits) : 0;
  return {
    paymentId: payment.id,
    productName: PRODUCT_NAME,
    customerName: user.name,
    customerEmail: user.email,
    packageName: payment.packageName,
    credits: payment.credits - bonus,
    bonusCredits: bonus,
    totalCredits: payment.credits,
    amountCents: payment.amountCents,
    currency: payment.currency,
    card:
      payment.cardBrand && payment.cardLast4
        ? { brand: payment.cardBrand, last4: payment.cardLast4 }
        : null,
    paidAt: payment.creditedAt ?? payment.updatedAt,
    status: payment.status,
    amountRefundedCents: payment.amountRefundedCents,
    stripeReceiptUrl: payment.stripeReceiptUrl,
  };
}
