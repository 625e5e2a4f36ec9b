import { describe, expect, it } from 'vitest';
import type { PaymentRecord } from '../src/store/types.ts';
import { decidePayment, settlementLabel } from '../src/services/payments/settlement.ts';

/** A pending 10-credit payment of 1000 cents, as the store would hand it to a decision. */
const pending = (over: Partial<PaymentRecord> = {}): PaymentRecord => ({
  id: 'pay_1',
  userId: 'user_1',
  packageId: 1,
  packageName: 'Starter',
  amountCents: 1000,
  currency: 'usd',
  credits: 10,
  status: 'pending',
  stripePaymentIntentId: 'pi_1',
  credited: false,
  amountReceivedCents: null,
  amountRefundedCents: 0,
  creditsClawedBack: 0,
  disputeId: null,
  disputeStatus: null,
  failureMessage: null,
  anomaly: null,
  cardBrand: null,
  cardLast4: null,
  stripeReceiptUrl: null,
  creditedAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

const paid = { succeeded: { amountReceived: 1000, currency: 'usd' } };

describe('settlement outcomes', () => {
  it('names each effect once, in the order decided', () => {
    expect(decidePayment(paid)(pending()).outcomes).toEqual(['credited']);
    expect(decidePayment({ ...paid, amountRefundedCents: 500 })(pending()).outcomes).toEqual([
      'credited',
      'clawed_back',
    ]);
    const credited = pending({ credited: true, status: 'succeeded' });
    expect(decidePayment({ amountRefundedCents: 1000 })(credited).outcomes).toEqual([
      'clawed_back',
    ]);
    const held = pending({
      credited: true,
      status: 'disputed',
      disputeId: 'dp_1',
      disputeStatus: 'open',
      creditsClawedBack: 10,
    });
    expect(decidePayment({ dispute: { id: 'dp_1', status: 'won' } })(held).outcomes).toEqual([
      'restored',
    ]);
  });

  it('reports a wrong amount instead of crediting', () => {
    const decision = decidePayment({ succeeded: { amountReceived: 999, currency: 'usd' } })(
      pending(),
    );
    expect(decision.outcomes).toEqual(['amount_mismatch']);
    expect(decision.entries).toEqual([]);
  });

  it('says `updated` for facts without money, `no_change` for nothing at all', () => {
    expect(decidePayment({ failed: { message: 'declined' } })(pending()).outcomes).toEqual([
      'updated',
    ]);
    expect(decidePayment({})(pending()).outcomes).toEqual(['no_change']);
    const credited = pending({ credited: true, status: 'succeeded', amountReceivedCents: 1000 });
    expect(decidePayment(paid)(credited).outcomes).toEqual(['no_change']);
  });

  it('labels a settlement the way the event log and the webhook answer always have', () => {
    expect(settlementLabel(['credited'])).toBe('credited');
    expect(settlementLabel(['credited', 'clawed_back'])).toBe('credited+clawed_back');
  });
});
