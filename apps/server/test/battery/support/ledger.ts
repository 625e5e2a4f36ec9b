import { randomUUID } from 'node:crypto';
import type { Db } from '../../../src/store/sqlite/open.ts';
import { applyEntry } from '../../../src/store/sqlite/ledger.ts';

/**
 * Test fixtures and read-only views of the ledger. Credits are granted through the store's
 * own ledger writer (cached balance and entry in one transaction), never by raw SQL.
 */
export function grantCredits(db: Db, userId: string, amount: number): void {
  db.transaction(() =>
    applyEntry(
      db,
      userId,
      {
        type: 'adjustment',
        amount,
        referenceType: 'test_grant',
        referenceId: randomUUID(),
        description: 'Battery fixture',
      },
      new Date().toISOString(),
    ),
  ).immediate();
}

export function videoEntries(db: Db, videoId: string) {
  return db
    .prepare(
      `SELECT type, amount FROM transactions WHERE reference_type = 'video' AND reference_id = ?
       ORDER BY id`,
    )
    .all(videoId) as Array<{ type: string; amount: number }>;
}

export function videosOf(db: Db, userId: string) {
  return db
    .prepare(
      `SELECT id, status, idempotency_key AS key, credits_used AS cost,
              credits_refunded AS refunded, error, attempts, file_path AS filePath
       FROM video_generations WHERE user_id = ? ORDER BY created_at, id`,
    )
    .all(userId) as Array<{
    id: string;
    status: string;
    key: string | null;
    cost: number;
    refunded: number;
    error: string | null;
    attempts: number;
    filePath: string | null;
  }>;
}

export { countRows } from '../../helpers/row-counts.ts';
