import type { PaymentHistoryResponse } from '@app/shared';
import { notFound } from '../../errors.ts';
import { presentPagination, toPage } from '../../presenters/pagination.ts';
import { presentPayment } from '../../presenters/payment.ts';
import type { Actor, ServiceContext } from '../context.ts';

export async function listPayments(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: { page: number; pageSize: number };
}): Promise<PaymentHistoryResponse> {
  const { rows, total } = await options.ctx.store.listPayments({
    userId: options.actor.userId,
    page: toPage(options.input),
  });
  return {
    payments: rows.map(presentPayment),
    pagination: presentPagination(options.input, total),
  };
}

/** Someone else's payment is indistinguishable from a missing one. */
export async function getPayment(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: { paymentId: string };
}) {
  const payment = await options.ctx.store.findPayment({ id: options.input.paymentId });
  if (!payment || payment.userId !== options.actor.userId) throw notFound('Payment');
  return { payment: presentPayment(payment) };
}
