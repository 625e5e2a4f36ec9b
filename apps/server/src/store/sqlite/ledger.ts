import type { PlannedEntry } from '../types.ts';
import type { Db } from './open.ts';
import { statement } from './statements.ts';
import { nextUserSeq } from './user-seq.ts';

export class LedgerRejected extends Error {
  constructor(readonly reason: 'insufficient' | 'no_user') {
    super(reason);
  }
}

/**
 * Writes one ledger entry and the cached balance. Must run inside a transaction.
 * Debits other than clawbacks are conditional on the balance covering them, so no race can
 * take a balance below zero; a clawback may, because it takes back credits already spent.
 */
export function applyEntry(
  db: Db,
  userId: string,
  entry: PlannedEntry,
  now: string,
): { balanceAfter: number; id: number } {
  const mayGoNegative = entry.type === 'clawback';
  const purchased = entry.type === 'purchase' ? entry.amount : 0;
  const updated = statement(
    db,
    `UPDATE users SET credit_balance = credit_balance + @amount,
         total_credits_purchased = total_credits_purchased + @purchased, updated_at = @now
       WHERE id = @userId AND (@mayGoNegative = 1 OR @amount >= 0 OR credit_balance + @amount >= 0)
       RETURNING credit_balance`,
  ).get({ amount: entry.amount, purchased, now, userId, mayGoNegative: mayGoNegative ? 1 : 0 }) as
    { credit_balance: number } | undefined;
  if (!updated) {
    const exists = statement(db, 'SELECT 1 FROM users WHERE id = ?').get(userId);
    throw new LedgerRejected(exists ? 'insufficient' : 'no_user');
  }
  const info = statement(
    db,
    `INSERT INTO transactions
       (user_id, type, amount, balance_after, reference_type, reference_id, description, created_at,
        user_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ${nextUserSeq('transactions')})`,
  ).run(
    userId,
    entry.type,
    entry.amount,
    updated.credit_balance,
    entry.referenceType,
    entry.referenceId,
    entry.description,
    now,
    userId,
  );
  return { balanceAfter: updated.credit_balance, id: Number(info.lastInsertRowid) };
}
