import {
  csvLine,
  TRANSACTION_CSV_HEADER,
  transactionCsvRow,
  type TransactionsQuery,
} from '@app/shared';
import { presentTransaction } from '../../presenters/transaction.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { transactionFilterOf } from './transaction-filter.ts';

/** Rows per keyset batch: one batch is all the export holds in memory at a time. */
export const EXPORT_BATCH_ROWS = 1000;

export interface TransactionsCsv {
  filename: string;
  /** The CSV text: the header, then one chunk per batch of rows, newest first. */
  chunks: AsyncIterable<string>;
}

/**
 * The caller's whole filtered history as CSV, with the columns and formula neutralising of
 * the shared CSV module. Read in keyset batches, each its own short read: the database
 * connection is free between batches (an open iterator would block every other query on it),
 * and a consumer that stops pulling (a slow or vanished client) stops the reads. Entries
 * written during the export have higher ids and are not included: the file is the history as
 * of its first row. Invalid filters throw here, before anything is produced.
 */
export function exportTransactionsCsv(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: Pick<TransactionsQuery, 'type' | 'from' | 'to'>;
}): TransactionsCsv {
  const { ctx, actor } = options;
  const filter = transactionFilterOf(options.input);
  const day = ctx.now().toISOString().slice(0, 10);
  async function* chunks() {
    yield csvLine(TRANSACTION_CSV_HEADER);
    let beforeId: number | undefined;
    for (;;) {
      const rows = await ctx.store.listTransactionsBefore({
        userId: actor.userId,
        filter,
        batch: { beforeId, limit: EXPORT_BATCH_ROWS },
      });
      if (rows.length === 0) return;
      yield rows.map((e) => csvLine(transactionCsvRow(presentTransaction(e)))).join('');
      if (rows.length < EXPORT_BATCH_ROWS) return;
      beforeId = rows[rows.length - 1]!.id;
    }
  }
  return {
    filename: `transactions${filter.type ? `-${filter.type}` : ''}-${day}.csv`,
    chunks: chunks(),
  };
}
