import type { TransactionsQuery } from '@app/shared';
import { validationError } from '../../errors.ts';
import type { TransactionFilter } from '../../store/types.ts';

/**
 * The store filter of a transactions query. Dates are compared as ISO strings, so both bounds
 * are normalised to full UTC timestamps; a bare date as upper bound means "through the end of
 * that day". The paged list and the CSV export share it, so an export matches what the list showed.
 */
export function transactionFilterOf(
  query: Pick<TransactionsQuery, 'type' | 'from' | 'to'>,
): TransactionFilter {
  const from = query.from ? new Date(query.from).toISOString() : undefined;
  const to = query.to ? endOf(query.to) : undefined;
  if (from && to && from > to) throw validationError('`from` must be before `to`');
  return { type: query.type, from, to };
}

function endOf(value: string): string {
  const date = new Date(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) date.setUTCHours(23, 59, 59, 999);
  return date.toISOString();
}
