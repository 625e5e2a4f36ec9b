/**
 * Every index keyed by user costs a charge one more page in the WAL (its entry lands in that
 * user's part of the index, away from the entries of the rest of the group), and a COMMIT
 * writes and flushes each of those pages. With 50 users in groups of 20 charges, 9.7 pages per
 * charge before this migration and 7.5 after (test/store/charge-wal-pages.test.ts). Two such
 * indexes said nothing the others do not:
 *
 * - `video_generations_active_by_user` (user_id, status, fair_round) answered the charge's
 *   "the user's latest round"; the per-user queued and rendering indexes now carry
 *   `fair_round` and answer it from the end of each, as PostgreSQL's migration 10 does.
 * - `transactions_by_user` (user_id, id DESC) ordered a user's entries, which
 *   `transactions_by_user_seq` already does: `user_seq` numbers a user's entries in the order
 *   they were written, the order of `id`.
 */
export const sql = `
DROP INDEX video_generations_queued_by_user;
CREATE INDEX video_generations_queued_by_user ON video_generations (user_id, fair_round)
  WHERE status = 'queued';
DROP INDEX video_generations_processing_by_user;
CREATE INDEX video_generations_processing_by_user ON video_generations (user_id, fair_round)
  WHERE status = 'processing';
DROP INDEX video_generations_active_by_user;
DROP INDEX transactions_by_user;
`;
