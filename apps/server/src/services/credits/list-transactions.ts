import type { TransactionsQuery, TransactionsResponse } from '@app/shared';
import { presentPagination, toPage } from '../../presenters/pagination.ts';
import { presentTransaction } from '../../presenters/transaction.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { transactionFilterOf } from './transaction-filter.ts';

export async function listTransactions(options: {
  ctx: ServiceContext;
  actor: Actor;
  query: TransactionsQuery;
}): Promise<TransactionsResponse> {
  const { query } = options;
  const { rows, total } = await options.ctx.store.listTransactions(
    options.actor.userId,
    transactionFilterOf(query),
    toPage(query),
  );
  const prompts = await options.ctx.store.videoPrompts(
    options.actor.userId,
    rows.filter((r) => r.referenceType === 'video').map((r) => r.referenceId),
  );
  return {
    transactions: rows.map((r) =>
      presentTransaction(
        r,
        r.referenceType === 'video' ? (prompts.get(r.referenceId) ?? null) : undefined,
      ),
    ),
    pagination: presentPagination(query, total),
  };
}
