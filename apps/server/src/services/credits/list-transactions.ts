import type { TransactionsQuery, TransactionsResponse } from '@app/shared';
import { presentPagination, toPage } from '../../presenters/pagination.ts';
import { presentTransaction } from '../../presenters/transaction.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { transactionFilterOf } from './transaction-filter.ts';

export async function listTransactions(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: TransactionsQuery;
}): Promise<TransactionsResponse> {
  const { input: query } = options;
  const { rows, total } = await options.ctx.store.listTransactions({
    userId: options.actor.userId,
    filter: transactionFilterOf(query),
    page: toPage(query),
  });
  const prompts = await options.ctx.store.videoPrompts({
    userId: options.actor.userId,
    ids: rows.filter((r) => r.referenceType === 'video').map((r) => r.referenceId),
  });
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
