import { settlementLabel } from '../settlement-label.ts';
import type {
  AttachPaymentIntentInput,
  CreatePaymentInput,
  ListPaymentsInput,
  PageResult,
  PaymentRecord,
  PaymentUpdateResult,
  PruneStripeEventsInput,
  RecordStripeEventInput,
  UpdatePaymentInput,
} from '../types.ts';
import { paymentFromRow } from '../sqlite/rows.ts';
import { applyEntry, lockUser, nextUserSeq } from './ledger.ts';
import { balanceOf, seekPage } from './ledger-queries.ts';
import * as outbox from './outbox.ts';
import type { Q } from './sql.ts';

/** Payments and Stripe webhook events, as sqlite/payments.ts; inside the caller's transaction. */

const PAYMENT_COLUMNS: Record<string, string> = {
  status: 'status',
  credited: 'credited',
  amountReceivedCents: 'amount_received_cents',
  amountRefundedCents: 'amount_refunded_cents',
  creditsClawedBack: 'credits_clawed_back',
  disputeId: 'dispute_id',
  disputeStatus: 'dispute_status',
  failureMessage: 'failure_message',
  anomaly: 'anomaly',
  cardBrand: 'card_brand',
  cardLast4: 'card_last4',
  stripeReceiptUrl: 'stripe_receipt_url',
};

export async function paymentBy(
  q: Q,
  column: 'id' | 'stripe_payment_intent_id',
  value: string,
): Promise<PaymentRecord | null> {
  const row = await q.get(`SELECT * FROM payments WHERE ${column} = ?`, [value]);
  return row ? paymentFromRow(row) : null;
}

export async function createPayment(q: Q, input: CreatePaymentInput): Promise<PaymentRecord> {
  const { pkg } = input;
  await lockUser(q, input.userId);
  await q.run(
    `INSERT INTO payments (id, user_id, package_id, package_name, amount_cents, currency, credits,
         status, created_at, updated_at, user_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ${nextUserSeq('payments')})`,
    [
      input.id,
      input.userId,
      pkg.id,
      pkg.name,
      pkg.priceCents,
      pkg.currency,
      pkg.credits + pkg.bonusCredits,
      input.now,
      input.now,
      input.userId,
    ],
  );
  return (await paymentBy(q, 'id', input.id))!;
}

export async function attachPaymentIntent(q: Q, input: AttachPaymentIntentInput): Promise<void> {
  await q.run(
    `UPDATE payments SET stripe_payment_intent_id = ?, updated_at = ?
       WHERE id = ? AND (stripe_payment_intent_id IS NULL OR stripe_payment_intent_id = ?)`,
    [input.paymentIntentId, input.now, input.paymentId, input.paymentIntentId],
  );
}

export async function listPayments(
  q: Q,
  input: ListPaymentsInput,
): Promise<PageResult<PaymentRecord>> {
  const { rows, total } = await seekPage(q, 'payments', input.userId, input.page);
  return { rows: rows.map(paymentFromRow), total };
}

export async function updatePayment(q: Q, input: UpdatePaymentInput): Promise<PaymentUpdateResult> {
  const owner = await q.value<string>(
    'SELECT user_id FROM payments WHERE stripe_payment_intent_id = ?',
    [input.paymentIntentId],
  );
  // Lock order user → payment, then decide from the locked row: two refunds (or a
  // webhook and a confirm on two instances) decide one after the other.
  if (owner !== undefined) await lockUser(q, owner);
  const row =
    owner === undefined
      ? undefined
      : await q.get('SELECT * FROM payments WHERE stripe_payment_intent_id = ? FOR UPDATE', [
          input.paymentIntentId,
        ]);
  if (input.event) {
    const seen = await q.value('SELECT 1 FROM stripe_events WHERE id = ?', [input.event.id]);
    if (seen) return { kind: 'duplicate_event' };
  }
  if (!row) {
    if (input.event) {
      const inserted = await q.run(
        `INSERT INTO stripe_events (id, type, payment_id, outcome, received_at)
           VALUES (?, ?, NULL, 'unknown_payment', ?) ON CONFLICT (id) DO NOTHING`,
        [input.event.id, input.event.type, input.now],
      );
      if (inserted === 0) return { kind: 'duplicate_event' };
    }
    return { kind: 'unknown_payment' };
  }
  const payment = paymentFromRow(row);
  const decision = input.decide(payment);
  let balance = await balanceOf(q, payment.userId);
  for (const entry of decision.entries) {
    const before = balance;
    balance = (await applyEntry(q, payment.userId, entry, input.now)).balanceAfter;
    await outbox.noticeLowBalance(q, { userId: payment.userId, before, after: balance }, input.now);
  }
  for (const draft of decision.mail ?? []) await outbox.enqueueMail(q, draft, input.now);
  const sets: string[] = [];
  const values: Record<string, unknown> = { id: payment.id, now: input.now };
  if (decision.patch.credited === true && !payment.credited) sets.push('credited_at = @now');
  for (const [field, value] of Object.entries(decision.patch)) {
    const column = PAYMENT_COLUMNS[field];
    if (!column) throw new Error(`unknown payment field ${field}`);
    sets.push(`${column} = @${field}`);
    values[field] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  }
  if (sets.length > 0) {
    await q.run(`UPDATE payments SET ${sets.join(', ')}, updated_at = @now WHERE id = @id`, values);
  }
  if (input.event) {
    await q.run(
      'INSERT INTO stripe_events (id, type, payment_id, outcome, received_at) VALUES (?, ?, ?, ?, ?)',
      [input.event.id, input.event.type, payment.id, settlementLabel(decision.outcomes), input.now],
    );
  }
  return {
    kind: 'applied',
    payment: (await paymentBy(q, 'id', payment.id))!,
    balance,
    outcomes: decision.outcomes,
  };
}

export async function recordStripeEvent(q: Q, input: RecordStripeEventInput): Promise<boolean> {
  return (
    (await q.run(
      `INSERT INTO stripe_events (id, type, payment_id, outcome, received_at)
         VALUES (?, ?, NULL, ?, ?) ON CONFLICT (id) DO NOTHING`,
      [input.id, input.type, input.outcome, input.now],
    )) > 0
  );
}

export const pruneStripeEvents = (q: Q, input: PruneStripeEventsInput): Promise<number> =>
  q.run(
    `DELETE FROM stripe_events WHERE id IN (
       SELECT id FROM stripe_events WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
    [input.receivedBefore, input.limit],
  );
