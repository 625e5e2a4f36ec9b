import type {
  Balance,
  GetBalanceInput,
  LedgerEntry,
  ListTransactionsBeforeInput,
  ListTransactionsInput,
  PageResult,
} from '../types.ts';
import type { Db } from './open.ts';
import { entryFromRow } from './rows.ts';
import { statement } from './statements.ts';
import { seekPage } from './user-seq.ts';

/** Reading the ledger and the cached balance; writes go through ledger.ts's applyEntry. */

type Row = Record<string, unknown>;

export function listTransactions(db: Db, input: ListTransactionsInput): PageResult<LedgerEntry> {
  const { userId, filter, page } = input;
  if (!filter.type && !filter.from && !filter.to) {
    const { rows, total } = seekPage(db, 'transactions', userId, page);
    return { rows: rows.map(entryFromRow), total };
  }
  // Filtered lists count and skip the matching rows: their cost grows with the user's
  // matching history (the unfiltered list, the one every page load asks for, does not).
  const where = ['user_id = @userId'];
  if (filter.type) where.push('type = @type');
  if (filter.from) where.push('created_at >= @from');
  if (filter.to) where.push('created_at <= @to');
  const params = { userId, ...filter, limit: page.limit, offset: page.offset };
  const clause = where.join(' AND ');
  const total = statement(db, `SELECT COUNT(*) FROM transactions WHERE ${clause}`, {
    pluck: true,
  }).get(params) as number;
  const rows = statement(
    db,
    `SELECT * FROM transactions WHERE ${clause} ORDER BY user_seq DESC LIMIT @limit OFFSET @offset`,
  ).all(params) as Row[];
  return { rows: rows.map(entryFromRow), total };
}

export function listTransactionsBefore(db: Db, input: ListTransactionsBeforeInput): LedgerEntry[] {
  const { userId, filter, batch } = input;
  const where = ['user_id = @userId'];
  // Keyed on the user's entry number, the order of `id` within a user and the order the
  // history pages show, so each batch is one seek on (user_id, user_seq).
  let beforeSeq: number | undefined;
  if (batch.beforeId !== undefined) {
    beforeSeq = statement(db, 'SELECT user_seq FROM transactions WHERE id = ? AND user_id = ?', {
      pluck: true,
    }).get(batch.beforeId, userId) as number | undefined;
    // Not this user's entry: nothing of theirs comes before it. (An earlier batch's last
    // entry is always there: the ledger is append-only.)
    if (beforeSeq === undefined) return [];
    where.push('user_seq < @beforeSeq');
  }
  if (filter.type) where.push('type = @type');
  // Unary + keeps the planner on the (user_id, user_seq) index, already in batch order: a date
  // index would make every batch sort the whole date range to find its next rows.
  if (filter.from) where.push('+created_at >= @from');
  if (filter.to) where.push('+created_at <= @to');
  // Keyset, not OFFSET: each batch starts where the last one ended.
  const rows = statement(
    db,
    `SELECT * FROM transactions WHERE ${where.join(' AND ')} ORDER BY user_seq DESC LIMIT @limit`,
  ).all({ userId, ...filter, beforeSeq, limit: batch.limit }) as Row[];
  return rows.map(entryFromRow);
}

export function getBalance(db: Db, input: GetBalanceInput): Balance | null {
  const row = statement(
    db,
    'SELECT credit_balance, total_credits_purchased FROM users WHERE id = ?',
  ).get(input.userId) as { credit_balance: number; total_credits_purchased: number } | undefined;
  return row
    ? { creditBalance: row.credit_balance, totalCreditsPurchased: row.total_credits_purchased }
    : null;
}

/** The balance of a user known to exist, read inside a money transaction. */
export function balanceOf(db: Db, userId: string): number {
  return statement(db, 'SELECT credit_balance FROM users WHERE id = ?', { pluck: true }).get(
    userId,
  ) as number;
}
