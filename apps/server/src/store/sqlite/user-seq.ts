import type { Page } from '../types.ts';
import type { Db } from './open.ts';
import { statement } from './statements.ts';

/**
 * Per-user sequence numbers (migration 6). A user's ledger entries, videos and payments are
 * numbered 1, 2, 3, … in insertion order by the store, inside the write transaction (rows
 * written any other way are numbered by the migration's triggers), so the numbers are dense:
 * the highest one is the count, and newest-first page N holds the rows numbered
 * (total - offset - limit, total - offset]. Both are one probe of the (user_id, user_seq)
 * index, whatever the page and however long the history.
 */
export type NumberedTable = 'transactions' | 'video_generations' | 'payments';

/** SQL expression for the next number; binds one parameter, the user id. */
export const nextUserSeq = (table: NumberedTable): string =>
  `COALESCE((SELECT user_seq FROM ${table} WHERE user_id = ? ORDER BY user_seq DESC LIMIT 1), 0) + 1`;

export function countByUser(db: Db, table: NumberedTable, userId: string): number {
  const last = statement(
    db,
    `SELECT user_seq FROM ${table} WHERE user_id = ? ORDER BY user_seq DESC LIMIT 1`,
    { pluck: true },
  ).get(userId) as number | null | undefined;
  return last ?? 0;
}

/** An unfiltered page, newest first, by range seek; the rows as stored. */
export function seekPage(
  db: Db,
  table: NumberedTable,
  userId: string,
  page: Page,
): { rows: Record<string, unknown>[]; total: number } {
  const total = countByUser(db, table, userId);
  const top = total - page.offset;
  if (top <= 0) return { rows: [], total };
  const rows = statement(
    db,
    `SELECT * FROM ${table} WHERE user_id = ? AND user_seq <= ? ORDER BY user_seq DESC LIMIT ?`,
  ).all(userId, top, page.limit) as Record<string, unknown>[];
  return { rows, total };
}
