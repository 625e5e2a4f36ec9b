import type { TransactionsQuery, TransactionsResponse } from '@app/shared';
import { validationError } from '../../errors.ts';
import { presentPagination, toPage } from '../../presenters/pagination.ts';
import { presentTransaction } from '../../presenters/transaction.ts';
import type { Actor, ServiceContext } from '../context.ts';

/** Dates are compared as ISO strings, so both bounds are normalised to full UTC timestamps. */
export async function listTransactions(options: {
  ctx: ServiceContext;
  actor: Actor;
  query: TransactionsQuery;
}): Promise<TransactionsResponse> {
  const { query } = options;
  const from = query.from ? new Date(query.from).toISOString() : undefined;
  // A bare date as upper bound means "through the end of that day".
  const to = query.to ? endOf(query.to) : undefined;
  if (from && to && from > to) throw validationError('`from` must be before `to`');
  const { rows, total } = await options.ctx.store.listTransactions(
    options.actor.userId,
    { type: query.type, from, to },
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

function endOf(value: string): string {
  const date = new Date(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) date.setUTCHours(23, 59, 59, 999);
  return date.toISOString();
}
