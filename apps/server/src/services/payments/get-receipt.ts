import type { Receipt, ReceiptResponse } from '@app/shared';
import { notFound } from '../../errors.ts';
import { presentReceipt } from '../../presenters/receipt.ts';
import type { Actor, CoreContext, ServiceContext } from '../context.ts';

/** The receipt of a credited payment, or null (not credited, or its account is gone). */
export async function loadReceipt(options: {
  ctx: CoreContext;
  input: { paymentId: string };
}): Promise<Receipt | null> {
  const { ctx } = options;
  const payment = await ctx.store.findPayment({ id: options.input.paymentId });
  if (!payment || !payment.creditedAt) return null;
  const user = await ctx.store.findUserById({ id: payment.userId });
  if (!user || user.deletedAt) return null;
  return presentReceipt(payment, await ctx.store.findPackage({ id: payment.packageId }), user);
}

/** Owner only: someone else's payment is indistinguishable from a missing one. */
export async function getReceipt(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: { paymentId: string };
}): Promise<ReceiptResponse> {
  const { ctx } = options;
  const payment = await ctx.store.findPayment({ id: options.input.paymentId });
  if (!payment || payment.userId !== options.actor.userId) throw notFound('Receipt');
  const receipt = await loadReceipt({ ctx, input: { paymentId: payment.id } });
  if (!receipt) throw notFound('Receipt');
  return { receipt };
}
