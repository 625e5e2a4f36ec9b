import type { Db } from '../../src/store/sqlite/open.ts';

/** The repeating pattern of bulk entries: it nets +2 credits every four, so never goes below 0. */
const PATTERN = [
  { type: 'bonus', amount: 7 },
  { type: 'adjustment', amount: -3 },
  { type: 'refund', amount: 2 },
  { type: 'adjustment', amount: -4 },
] as const;

export interface BulkOptions {
  /** Timestamp of the first entry; each next one is `stepMs` later. */
  start: Date;
  stepMs: number;
  /** The description of entry `i` (default: a sentence of realistic length). */
  description?: (i: number) => string;
}

/**
 * Appends `count` valid entries to a user's ledger in one transaction, straight in SQL but
 * the way the store does it (cached balance first, then the entry; the triggers check it),
 * so fixtures of hundreds of thousands of entries take a second, and every invariant holds.
 */
export function appendEntries(db: Db, userId: string, count: number, options: BulkOptions) {
  const bump = db
    .prepare(
      'UPDATE users SET credit_balance = credit_balance + ? WHERE id = ? RETURNING credit_balance',
    )
    .pluck();
  const insert = db.prepare(
    `INSERT INTO transactions (user_id, type, amount, balance_after, reference_type, reference_id,
       description, created_at) VALUES (?, ?, ?, ?, 'bulk', ?, ?, ?)`,
  );
  const describe =
    options.description ?? ((i: number) => `Bulk fixture entry number ${i} for tests`);
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const { type, amount } = PATTERN[i % PATTERN.length]!;
      const balance = bump.get(amount, userId) as number;
      const at = new Date(options.start.getTime() + i * options.stepMs).toISOString();
      insert.run(userId, type, amount, balance, `${userId}:${i}`, describe(i), at);
    }
  })();
}
