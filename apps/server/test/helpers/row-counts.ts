import type { Db } from '../../src/store/sqlite/open.ts';

/** Every table a request can write to. */
export const WRITABLE_TABLES = [
  'users',
  'transactions',
  'payments',
  'video_generations',
  'stripe_events',
  'idempotency_keys',
] as const;
export type WritableTable = (typeof WRITABLE_TABLES)[number];

/** Row counts per table: a rejected request must leave all of them unchanged. */
export function countRows(
  db: Db,
  tables: readonly WritableTable[] = WRITABLE_TABLES,
): Record<WritableTable, number> {
  return Object.fromEntries(
    tables.map((t) => [t, db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number]),
  ) as Record<WritableTable, number>;
}
