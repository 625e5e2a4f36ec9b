import type { PlannedEntry } from '../types.ts';
import type { Q } from './sql.ts';

export class LedgerRejected extends Error {
  constructor(readonly reason: 'insufficient' | 'no_user') {
    super(reason);
  }
}

export type NumberedTable = 'transactions' | 'video_generations' | 'payments';

/**
 * The user's next sequence number in `table`. Only correct while the user's row is locked by
 * this transaction (every write path locks it first), and the unique (user_id, user_seq)
 * index refuses a duplicate anyway.
 */
export const nextUserSeq = (table: NumberedTable): string =>
  `COALESCE((SELECT MAX(user_seq) FROM ${table} WHERE user_id = ?), 0) + 1`;

/** Locks the user's row: the first lock of every write, so the lock order is user → the rest. */
export async function lockUser(q: Q, userId: string): Promise<number | undefined> {
  return q.value<number>('SELECT credit_balance FROM users WHERE id = ? FOR UPDATE', [userId]);
}

/**
 * One ledger entry and the cached balance, inside the caller's transaction (the UPDATE locks
 * the user's row). Debits other than clawbacks are conditional on the balance covering them.
 */
export async function applyEntry(
  q: Q,
  userId: string,
  entry: PlannedEntry,
  now: string,
): Promise<{ balanceAfter: number; id: number }> {
  const mayGoNegative = entry.type === 'clawback';
  const purchased = entry.type === 'purchase' ? entry.amount : 0;
  const balance = await q.value<number>(
    `UPDATE users SET credit_balance = credit_balance + @amount,
         total_credits_purchased = total_credits_purchased + @purchased, updated_at = @now
       WHERE id = @userId AND (@mayGoNegative::int = 1 OR @amount::int >= 0
         OR credit_balance + @amount >= 0)
       RETURNING credit_balance`,
    { amount: entry.amount, purchased, now, userId, mayGoNegative: mayGoNegative ? 1 : 0 },
  );
  if (balance === undefined) {
    const exists = await q.value('SELECT 1 FROM users WHERE id = ?', [userId]);
    throw new LedgerRejected(exists ? 'insufficient' : 'no_user');
  }
  const id = await q.value<number>(
    `INSERT INTO transactions
       (user_id, type, amount, balance_after, reference_type, reference_id, description, created_at,
        user_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ${nextUserSeq('transactions')}) RETURNING id`,
    [
      userId,
      entry.type,
      entry.amount,
      balance,
      entry.referenceType,
      entry.referenceId,
      entry.description,
      now,
      userId,
    ],
  );
  return { balanceAfter: balance, id: id! };
}
