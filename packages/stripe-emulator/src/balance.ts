import type { Ctx } from './context.ts';
import { newId } from './ids.ts';
import type { BalanceTransaction } from './types.ts';

/** Stripe's standard US card pricing, so fee/net arithmetic in reports looks plausible. */
export function cardFee(amount: number): number {
  return Math.round(amount * 0.029) + 30;
}

export function createBalanceTransaction(
  ctx: Ctx,
  input: {
    amount: number;
    currency: string;
    fee: number;
    source: string;
    type: string;
    reportingCategory: string;
    description: string | null;
  },
): BalanceTransaction {
  const created = ctx.nowSeconds();
  const txn: BalanceTransaction = {
    id: newId('txn'),
    object: 'balance_transaction',
    amount: input.amount,
    available_on: created + 2 * 86400,
    created,
    currency: input.currency,
    description: input.description,
    exchange_rate: null,
    fee: input.fee,
    fee_details:
      input.fee === 0
        ? []
        : [
            {
              amount: input.fee,
              application: null,
              currency: input.currency,
              description: 'Stripe processing fees',
              type: 'stripe_fee',
            },
          ],
    net: input.amount - input.fee,
    reporting_category: input.reportingCategory,
    source: input.source,
    status: 'pending',
    type: input.type,
  };
  ctx.store.balanceTransactions.set(txn.id, txn);
  ctx.store.track(txn.id);
  return txn;
}
