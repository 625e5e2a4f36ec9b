import type { Receipt, ReceiptResponse } from '@app/shared';
import { notFound } from '../../errors.ts';
import { presentReceipt } from '../../presenters/receipt.ts';
import type { Actor, ServiceContext } from '../context.ts';

/** The receipt of a credited payment, or null (not credited, or its account is gone). */
export async function loadReceipt(ctx: ServiceContext, paymentId: string): Promise<Receipt | null> {
  const payment = await ctx.store.findPayment(paymentId);
  if (!payment || !payment.creditedAt) return null;
  const user = await ctx.store.findUserById(payment.userId);
  if (!user || user.deletedAt) return null;
  return presentReceipt(payment, await ctx.store.findPackage(payment.packageId), user);
}

/** Owner only: someone else's payment is indistinguishable from a missing one. */
export async function getReceipt(options: {
  ctx: ServiceContext;
  actor: Actor;
  paymentId: string;
}): Promise<ReceiptResponse> {
  const payment = await options.ctx.store.findPayment(options.paymentId);
  if (!payment || payment.userId !== options.actor.userId) throw notFound('Receipt');
  const receipt = await loadReceipt(options.ctx, payment.id);
  if (!receipt) throw notFound('Receipt');
  return { receipt };
}
