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
import { applyEntry } from './ledger.ts';
import { balanceOf } from './ledger-queries.ts';
import type { Db } from './open.ts';
import * as outbox from './outbox.ts';
import { paymentFromRow } from './rows.ts';
import { statement } from './statements.ts';
import { nextUserSeq, seekPage } from './user-seq.ts';

/** Payments and Stripe webhook events; every function runs inside the caller's transaction. */

type Row = Record<string, unknown>;

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

export function paymentBy(
  db: Db,
  column: 'id' | 'stripe_payment_intent_id',
  value: string,
): PaymentRecord | null {
  const row = statement(db, `SELECT * FROM payments WHERE ${column} = ?`).get(value) as
    Row | undefined;
  return row ? paymentFromRow(row) : null;
}

export function createPayment(db: Db, input: CreatePaymentInput): PaymentRecord {
  const { pkg } = input;
  statement(
    db,
    `INSERT INTO payments (id, user_id, package_id, package_name, amount_cents, currency, credits,
         status, created_at, updated_at, user_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ${nextUserSeq('payments')})`,
  ).run(
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
  );
  return paymentBy(db, 'id', input.id)!;
}

export function attachPaymentIntent(db: Db, input: AttachPaymentIntentInput): void {
  statement(
    db,
    `UPDATE payments SET stripe_payment_intent_id = ?, updated_at = ?
       WHERE id = ? AND (stripe_payment_intent_id IS NULL OR stripe_payment_intent_id = ?)`,
  ).run(input.paymentIntentId, input.now, input.paymentId, input.paymentIntentId);
}

export function listPayments(db: Db, input: ListPaymentsInput): PageResult<PaymentRecord> {
  const { rows, total } = seekPage(db, 'payments', input.userId, input.page);
  return { rows: rows.map(paymentFromRow), total };
}

export function updatePayment(db: Db, input: UpdatePaymentInput): PaymentUpdateResult {
  const payment = paymentBy(db, 'stripe_payment_intent_id', input.paymentIntentId);
  if (input.event && isEventRecorded(db, input.event.id)) return { kind: 'duplicate_event' };
  if (!payment) {
    if (input.event) {
      insertEvent(db, {
        ...input.event,
        paymentId: null,
        outcome: 'unknown_payment',
        now: input.now,
      });
    }
    return { kind: 'unknown_payment' };
  }
  const decision = input.decide(payment);
  let balance = balanceOf(db, payment.userId);
  for (const entry of decision.entries) {
    const before = balance;
    balance = applyEntry(db, payment.userId, entry, input.now).balanceAfter;
    outbox.noticeLowBalance(db, { userId: payment.userId, before, after: balance }, input.now);
  }
  for (const draft of decision.mail ?? []) outbox.enqueueMail(db, draft, input.now);
  const sets: string[] = [];
  const values: Record<string, unknown> = { id: payment.id, now: input.now };
  // When the credits were added: the receipt's date.
  if (decision.patch.credited === true && !payment.credited) sets.push('credited_at = @now');
  for (const [field, value] of Object.entries(decision.patch)) {
    const column = PAYMENT_COLUMNS[field];
    if (!column) throw new Error(`unknown payment field ${field}`);
    sets.push(`${column} = @${field}`);
    values[field] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  }
  if (sets.length > 0) {
    statement(db, `UPDATE payments SET ${sets.join(', ')}, updated_at = @now WHERE id = @id`).run(
      values,
    );
  }
  if (input.event) {
    const outcome = settlementLabel(decision.outcomes);
    insertEvent(db, { ...input.event, paymentId: payment.id, outcome, now: input.now });
  }
  return {
    kind: 'applied',
    payment: paymentBy(db, 'id', payment.id)!,
    balance,
    outcomes: decision.outcomes,
  };
}

/** The event's record; `paymentId` null: it named no payment of ours. */
function insertEvent(
  db: Db,
  event: { id: string; type: string; paymentId: string | null; outcome: string; now: string },
): void {
  statement(
    db,
    'INSERT INTO stripe_events (id, type, payment_id, outcome, received_at) VALUES (?, ?, ?, ?, ?)',
  ).run(event.id, event.type, event.paymentId, event.outcome, event.now);
}

function isEventRecorded(db: Db, id: string): boolean {
  return statement(db, 'SELECT 1 FROM stripe_events WHERE id = ?').get(id) !== undefined;
}

export function recordStripeEvent(db: Db, input: RecordStripeEventInput): boolean {
  const info = statement(
    db,
    `INSERT INTO stripe_events (id, type, payment_id, outcome, received_at) VALUES (?, ?, NULL, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
  ).run(input.id, input.type, input.outcome, input.now);
  return info.changes > 0;
}

export function pruneStripeEvents(db: Db, input: PruneStripeEventsInput): number {
  return statement(
    db,
    `DELETE FROM stripe_events WHERE rowid IN (
       SELECT rowid FROM stripe_events WHERE received_at < ? ORDER BY received_at LIMIT ?)`,
  ).run(input.receivedBefore, input.limit).changes;
}
