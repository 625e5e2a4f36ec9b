import type { PaymentStatus } from '@app/shared';
import type { PlannedEntry } from './ledger.ts';
import type { MailDraft } from './mail.ts';
import type { PackageRecord } from './packages.ts';
import type { Page, PageResult } from './page.ts';

export interface PaymentRecord {
  id: string;
  userId: string;
  packageId: number;
  packageName: string;
  amountCents: number;
  currency: string;
  credits: number;
  status: PaymentStatus;
  stripePaymentIntentId: string | null;
  credited: boolean;
  amountReceivedCents: number | null;
  amountRefundedCents: number;
  creditsClawedBack: number;
  disputeId: string | null;
  disputeStatus: 'open' | 'won' | 'lost' | null;
  failureMessage: string | null;
  anomaly: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  stripeReceiptUrl: string | null;
  /** When the purchase entry was written (null until credited). */
  creditedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreatePaymentInput {
  id: string;
  userId: string;
  pkg: PackageRecord;
  now: string;
}

/**
 * What settling a payment did, one value per effect: `credited` and `amount_mismatch` come
 * from a success, `clawed_back` and `restored` from refunds and disputes. `updated` (facts
 * recorded, no money moved) and `no_change` only ever stand alone.
 */
export type SettlementOutcome =
  'credited' | 'amount_mismatch' | 'clawed_back' | 'restored' | 'updated' | 'no_change';

/**
 * What a service decides for a payment given its current state. Runs inside the adapter's
 * transaction, so it must be synchronous and pure: no I/O, no awaits.
 */
export type PaymentDecision = (payment: PaymentRecord) => {
  patch: Partial<
    Pick<
      PaymentRecord,
      | 'status'
      | 'credited'
      | 'amountReceivedCents'
      | 'amountRefundedCents'
      | 'creditsClawedBack'
      | 'disputeId'
      | 'disputeStatus'
      | 'failureMessage'
      | 'anomaly'
      | 'cardBrand'
      | 'cardLast4'
      | 'stripeReceiptUrl'
    >
  >;
  entries: PlannedEntry[];
  /** Never empty; in the order the effects were decided. */
  outcomes: SettlementOutcome[];
  /** Mail the decision causes (a receipt), queued in the same transaction. */
  mail?: MailDraft[];
};

export type PaymentUpdateResult =
  | { kind: 'applied'; payment: PaymentRecord; balance: number; outcomes: SettlementOutcome[] }
  | { kind: 'duplicate_event' }
  | { kind: 'unknown_payment' };

export interface UpdatePaymentInput {
  paymentIntentId: string;
  /** The webhook event that caused it; absent when a confirm or a reconciliation read the intent. */
  event?: { id: string; type: string };
  decide: PaymentDecision;
  now: string;
}

export interface AttachPaymentIntentInput {
  paymentId: string;
  paymentIntentId: string;
  now: string;
}

export interface FindPaymentInput {
  id: string;
}

export interface FindPaymentByIntentInput {
  paymentIntentId: string;
}

export interface ListPaymentsInput {
  userId: string;
  page: Page;
}

export interface RecordStripeEventInput {
  id: string;
  type: string;
  outcome: string;
  now: string;
}

export interface PruneStripeEventsInput {
  receivedBefore: string;
  limit: number;
}

/** Purchases of credit packages and the Stripe webhook events that settle them. */
export interface PaymentsStore {
  createPayment(input: CreatePaymentInput): Promise<PaymentRecord>;
  attachPaymentIntent(input: AttachPaymentIntentInput): Promise<void>;
  findPayment(input: FindPaymentInput): Promise<PaymentRecord | null>;
  findPaymentByIntent(input: FindPaymentByIntentInput): Promise<PaymentRecord | null>;
  listPayments(input: ListPaymentsInput): Promise<PageResult<PaymentRecord>>;
  /** Applies a decision to a payment and records the Stripe event, at most once per event. */
  updatePayment(input: UpdatePaymentInput): Promise<PaymentUpdateResult>;
  recordStripeEvent(input: RecordStripeEventInput): Promise<boolean>;
  /**
   * Deletes up to `limit` webhook-event records received before `receivedBefore`; returns how
   * many. Safe once Stripe has stopped retrying: a replay of a forgotten event finds the
   * payment already in the state the event describes, and the ledger's unique reference
   * refuses a second effect.
   */
  pruneStripeEvents(input: PruneStripeEventsInput): Promise<number>;
}
