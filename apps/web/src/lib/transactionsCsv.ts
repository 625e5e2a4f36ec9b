import type { Transaction } from '@app/shared';
import { toCsv } from './csv';

export const TRANSACTION_CSV_HEADER = [
  'Date',
  'Type',
  'Amount',
  'Balance after',
  'Description',
  'Reference type',
  'Reference ID',
  'Transaction ID',
] as const;

/** ISO timestamps keep the export sortable and unambiguous in any locale. */
export function transactionsToCsv(transactions: readonly Transaction[]): string {
  return toCsv(
    TRANSACTION_CSV_HEADER,
    transactions.map((t) => [
      t.createdAt,
      t.type,
      t.amount,
      t.balanceAfter,
      t.description,
      t.referenceType,
      t.referenceId,
      t.id,
    ]),
  );
}
