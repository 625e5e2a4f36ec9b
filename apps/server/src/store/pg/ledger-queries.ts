import type {
  Balance,
  GetBalanceInput,
  LedgerEntry,
  ListTransactionsBeforeInput,
  ListTransactionsInput,
  Page,
  PageResult,
} from '../types.ts';
import { entryFromRow } from '../sqlite/rows.ts';
import type { NumberedTable } from './ledger.ts';
import type { Q } from './sql.ts';

/** Reading the ledger and the cached balance, as sqlite/ledger-queries.ts. */

type Row = Record<string, unknown>;

/** An unfiltered page, newest first, by range seek on (user_id, user_seq), as in SQLite. */
export async function seekPage(
  q: Q,
  table: NumberedTable,
  userId: string,
  page: Page,
): Promise<{ rows: Row[]; total: number }> {
  const total =
    (await q.value<number>(`SELECT MAX(user_seq) FROM ${table} WHERE user_id = ?`, [userId])) ?? 0;
  const top = total - page.offset;
  if (top <= 0) return { rows: [], total };
  const rows = await q.all(
    `SELECT * FROM ${table} WHERE user_id = ? AND user_seq <= ? ORDER BY user_seq DESC LIMIT ?`,
    [userId, top, page.limit],
  );
  return { rows, total };
}

export async function listTransactions(
  q: Q,
  input: ListTransactionsInput,
): Promise<PageResult<LedgerEntry>> {
  const { userId, filter, page } = input;
  if (!filter.type && !filter.from && !filter.to) {
    const { rows, total } = await seekPage(q, 'transactions', userId, page);
    return { rows: rows.map(entryFromRow), total };
  }
  const where = ['user_id = @userId'];
  if (filter.type) where.push('type = @type');
  if (filter.from) where.push('created_at >= @from');
  if (filter.to) where.push('created_at <= @to');
  const params = { userId, ...filter, limit: page.limit, offset: page.offset };
  const clause = where.join(' AND ');
  const total = (await q.value<number>(
    `SELECT COUNT(*) FROM transactions WHERE ${clause}`,
    params,
  ))!;
  const rows = await q.all(
    `SELECT * FROM transactions WHERE ${clause} ORDER BY user_seq DESC LIMIT @limit OFFSET @offset`,
    params,
  );
  return { rows: rows.map(entryFromRow), total };
}

export async function listTransactionsBefore(
  q: Q,
  input: ListTransactionsBeforeInput,
): Promise<LedgerEntry[]> {
  const { userId, filter, batch } = input;
  const where = ['user_id = @userId'];
  if (batch.beforeId !== undefined) where.push('id < @beforeId');
  if (filter.type) where.push('type = @type');
  if (filter.from) where.push('created_at >= @from');
  if (filter.to) where.push('created_at <= @to');
  const rows = await q.all(
    `SELECT * FROM transactions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`,
    { userId, ...filter, beforeId: batch.beforeId, limit: batch.limit },
  );
  return rows.map(entryFromRow);
}

export async function getBalance(q: Q, input: GetBalanceInput): Promise<Balance | null> {
  const row = await q.get<{ credit_balance: number; total_credits_purchased: number }>(
    'SELECT credit_balance, total_credits_purchased FROM users WHERE id = ?',
    [input.userId],
    'prepared_balance',
  );
  return row
    ? { creditBalance: row.credit_balance, totalCreditsPurchased: row.total_credits_purchased }
    : null;
}

/** The balance of a user known to exist, read inside a money transaction. */
export const balanceOf = async (q: Q, userId: string): Promise<number> =>
  (await q.value<number>('SELECT credit_balance FROM users WHERE id = ?', [userId]))!;
