import type { TestCard } from './cards.ts';
import type {
  BalanceTransaction,
  Charge,
  Dispute,
  PaymentIntent,
  PaymentMethod,
  Refund,
  StripeEvent,
} from './types.ts';

type Stored = PaymentIntent | Charge | Refund | Dispute | PaymentMethod | BalanceTransaction;

export interface Snapshot {
  paymentIntents: PaymentIntent[];
  charges: Charge[];
  refunds: Refund[];
  disputes: Dispute[];
  paymentMethods: PaymentMethod[];
  balanceTransactions: BalanceTransaction[];
  events: StripeEvent[];
}

/** All emulator state, in memory only: a restart starts from nothing. */
export class Store {
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, Refund>();
  readonly disputes = new Map<string, Dispute>();
  readonly paymentMethods = new Map<string, PaymentMethod>();
  readonly balanceTransactions = new Map<string, BalanceTransaction>();
  readonly events = new Map<string, StripeEvent>();
  /** The test card behind each PaymentMethod; never exposed, like a real card number. */
  readonly cardOf = new Map<string, TestCard>();
  /** Receipt-page token → charge id; the token is the only key to the page, as on Stripe. */
  readonly receipts = new Map<string, string>();
  // `created` has one-second resolution, so a creation counter breaks ties for "newest first".
  private readonly sequence = new Map<string, number>();
  private counter = 0;

  track(id: string): void {
    this.sequence.set(id, ++this.counter);
  }

  seq(id: string): number {
    return this.sequence.get(id) ?? 0;
  }

  /** Finds any stored object by id, for `expand[]`. */
  lookup(id: string): Stored | StripeEvent | undefined {
    return (
      this.paymentIntents.get(id) ??
      this.charges.get(id) ??
      this.refunds.get(id) ??
      this.disputes.get(id) ??
      this.paymentMethods.get(id) ??
      this.balanceTransactions.get(id) ??
      this.events.get(id)
    );
  }

  newestFirst<T extends { id: string; created: number }>(items: Iterable<T>): T[] {
    return [...items].sort((a, b) => b.created - a.created || this.seq(b.id) - this.seq(a.id));
  }

  snapshot(): Snapshot {
    const copy = <T>(m: Map<string, T>): T[] => structuredClone([...m.values()]);
    return {
      paymentIntents: copy(this.paymentIntents),
      charges: copy(this.charges),
      refunds: copy(this.refunds),
      disputes: copy(this.disputes),
      paymentMethods: copy(this.paymentMethods),
      balanceTransactions: copy(this.balanceTransactions),
      events: copy(this.events),
    };
  }

  reset(): void {
    this.paymentIntents.clear();
    this.charges.clear();
    this.refunds.clear();
    this.disputes.clear();
    this.paymentMethods.clear();
    this.balanceTransactions.clear();
    this.events.clear();
    this.cardOf.clear();
    this.sequence.clear();
    this.counter = 0;
  }
}
