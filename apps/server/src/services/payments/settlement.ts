import type { PaymentStatus } from '@app/shared';
import type {
  MailDraft,
  PaymentDecision,
  PaymentRecord,
  PlannedEntry,
  SettlementOutcome,
} from '../../store/types.ts';

export type { SettlementOutcome };

// The adapters write the same label into the webhook-event log.
export { settlementLabel } from '../../store/settlement-label.ts';

/** What Stripe has told us about a payment, from an event or from re-reading the intent. */
export interface PaymentFacts {
  succeeded?: { amountReceived: number; currency: string };
  requiresAction?: boolean;
  failed?: { message: string };
  canceled?: boolean;
  /** Cumulative, as Stripe reports it on the charge. */
  amountRefundedCents?: number;
  dispute?: { id: string; status: 'open' | 'won' | 'lost' };
  /** The card that paid and Stripe's receipt page, when the source of the facts had them. */
  card?: { brand: string; last4: string };
  receiptUrl?: string;
}

/**
 * The payment state machine. Every fact is merged monotonically (success is sticky,
 * refunds only grow, a closed dispute never reopens), and the credits owed back are derived
 * from the merged state, so any order or repetition of the same facts ends in the same
 * balance. Policy for disputes: the purchase's credits are held back while a dispute is
 * open, kept back when it is lost, and restored when it is won.
 */
export function decidePayment(facts: PaymentFacts): PaymentDecision {
  return (p: PaymentRecord) => {
    const patch: ReturnType<PaymentDecision>['patch'] = {};
    const entries: PlannedEntry[] = [];
    const mail: MailDraft[] = [];
    const outcomes: SettlementOutcome[] = [];

    if (facts.card && (p.cardBrand !== facts.card.brand || p.cardLast4 !== facts.card.last4)) {
      patch.cardBrand = facts.card.brand;
      patch.cardLast4 = facts.card.last4;
    }
    if (facts.receiptUrl && p.stripeReceiptUrl !== facts.receiptUrl) {
      patch.stripeReceiptUrl = facts.receiptUrl;
    }

    let credited = p.credited;
    if (facts.succeeded && !p.credited) {
      const { amountReceived, currency } = facts.succeeded;
      if (amountReceived === p.amountCents && currency.toLowerCase() === p.currency.toLowerCase()) {
        credited = true;
        patch.credited = true;
        patch.amountReceivedCents = amountReceived;
        entries.push({
          type: 'purchase',
          amount: p.credits,
          referenceType: 'payment',
          referenceId: p.id,
          description: `Purchase: ${p.packageName} package`,
        });
        // The receipt goes out in the crediting transaction: exactly once per credited payment.
        mail.push({ userId: p.userId, to: null, template: 'receipt', params: { paymentId: p.id } });
        outcomes.push('credited');
      } else {
        patch.anomaly = `amount mismatch: received ${amountReceived} ${currency}, expected ${p.amountCents} ${p.currency}`;
        patch.amountReceivedCents = amountReceived;
        outcomes.push('amount_mismatch');
      }
    }

    const refunded = Math.min(
      p.amountCents,
      Math.max(p.amountRefundedCents, facts.amountRefundedCents ?? 0),
    );
    if (refunded !== p.amountRefundedCents) patch.amountRefundedCents = refunded;

    let disputeId = p.disputeId;
    let disputeStatus = p.disputeStatus;
    if (facts.dispute) {
      const closed = p.disputeStatus === 'won' || p.disputeStatus === 'lost';
      const sameDispute = p.disputeId === null || p.disputeId === facts.dispute.id;
      // A late "created" must not reopen a dispute we already saw closed.
      if (!(closed && sameDispute && facts.dispute.status === 'open')) {
        disputeId = facts.dispute.id;
        disputeStatus = facts.dispute.status;
        patch.disputeId = disputeId;
        patch.disputeStatus = disputeStatus;
      }
    }

    const held = disputeStatus === 'open' || disputeStatus === 'lost';
    const target = !credited
      ? 0
      : held
        ? p.credits
        : Math.floor((p.credits * refunded) / p.amountCents);
    const delta = target - p.creditsClawedBack;
    if (delta > 0) {
      const reason = held ? `dispute:${disputeId}:${disputeStatus}` : `refund:${refunded}`;
      entries.push({
        type: 'clawback',
        amount: -delta,
        referenceType: 'payment_reversal',
        referenceId: `${p.id}:${reason}`,
        description: held
          ? `Credits held: payment disputed (${p.packageName})`
          : `Clawback: payment refunded (${p.packageName})`,
      });
      outcomes.push('clawed_back');
    } else if (delta < 0) {
      entries.push({
        type: 'adjustment',
        amount: -delta,
        referenceType: 'payment_reversal',
        referenceId: `${p.id}:restore:dispute:${disputeId}:${disputeStatus}`,
        description: `Credits restored: dispute won (${p.packageName})`,
      });
      outcomes.push('restored');
    }
    if (delta !== 0) patch.creditsClawedBack = target;

    const status = nextStatus(p, facts, { credited, refunded, disputeStatus });
    if (status !== p.status) patch.status = status;
    if (facts.failed && !credited) patch.failureMessage = facts.failed.message;
    if (outcomes.length === 0) {
      outcomes.push(Object.keys(patch).length > 0 ? 'updated' : 'no_change');
    }
    return { patch, entries, outcomes, mail };
  };
}

function nextStatus(
  p: PaymentRecord,
  facts: PaymentFacts,
  s: { credited: boolean; refunded: number; disputeStatus: PaymentRecord['disputeStatus'] },
): PaymentStatus {
  if (s.disputeStatus === 'open') return 'disputed';
  if (s.disputeStatus === 'lost') return 'dispute_lost';
  if (s.refunded >= p.amountCents) return 'refunded';
  if (s.refunded > 0) return 'partially_refunded';
  if (s.credited) return 'succeeded';
  // Never undo a success; before one, the latest word from Stripe wins.
  if (facts.succeeded) return p.status; // a mismatched amount stays where it was, flagged
  if (facts.canceled) return 'canceled';
  if (facts.failed) return 'failed';
  if (facts.requiresAction) return 'requires_action';
  return p.status;
}
