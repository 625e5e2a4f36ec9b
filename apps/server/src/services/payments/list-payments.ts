import type { PaymentHistoryResponse } from '@app/shared';
import { notFound } from '../../errors.ts';
import { presentPagination, toPage } from '../../presenters/pagination.ts';
import { presentPayment } from '../../presenters/payment.ts';
import type { Actor, ServiceContext } from '../context.ts';

export async function listPayments(options: {
  ctx: ServiceContext;
  actor: Actor;
  query: { page: number; pageSize: number };
}): Promise<PaymentHistoryResponse> {
  const { rows, total } = await options.ctx.store.listPayments(
    options.actor.userId,
    toPage(options.query),
  );
  return {
    payments: rows.map(presentPayment),
    pagination: presentPagination(options.query, total),
  };
}

/** Someone else's payment is indistinguishable from a missing one. */
export async function getPayment(options: {
  ctx: ServiceContext;
  actor: Actor;
  paymentId: string;
}) {
  const payment = await options.ctx.store.findPayment(options.paymentId);
  if (!payment || payment.userId !== options.actor.userId) throw notFound('Payment');
  return { payment: presentPayment(payment) };
}
