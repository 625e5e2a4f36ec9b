import type { PaymentDecision, PaymentUpdateResult, Store } from '../../store/types.ts';
import type { CoreContext } from '../context.ts';

/**
 * `store.updatePayment`, plus the metrics of what it applied. The decision runs inside the
 * transaction; what it returned is recorded only once that transaction has committed, so a
 * refused or rolled-back update counts nothing and a duplicate event counts nothing twice.
 */
export async function updatePayment(options: {
  ctx: CoreContext;
  input: Parameters<Store['updatePayment']>[0];
}): Promise<PaymentUpdateResult> {
  const { ctx, input } = options;
  let applied: ReturnType<PaymentDecision> | undefined;
  const result = await ctx.store.updatePayment({
    ...input,
    decide: (payment) => (applied = input.decide(payment)),
  });
  if (result.kind !== 'applied' || !applied) return result;
  const { metrics } = ctx;
  if (applied.patch.credited === true) metrics.paymentSucceeded();
  if (applied.patch.status === 'failed') metrics.paymentFailed();
  for (const entry of applied.entries) {
    if (entry.type === 'purchase') metrics.credits('sold', entry.amount);
    else if (entry.type === 'clawback') metrics.credits('clawed_back', -entry.amount);
  }
  return result;
}
