/**
 * The charge's per-user counts must never walk everybody's queue. They did whenever the
 * planner thought the queue empty, which is what ANALYZE usually sees on a queue table: with
 * an estimate of one queued row, scanning `video_generations_active_by_round` (every queued
 * job, in claim order) and filtering by user cost the same as the user's own index, and the
 * plan that won was cached by each connection. After an idle spell, a burst of charges then
 * read the whole queue each (measured: 3,000 rows per charge instead of 3).
 *
 * The claim order now lives in an index whose predicate names `attempts >= 0`. Every row
 * satisfies it, but only a query that says so can use the index, and only the claim does:
 * a per-user count or maximum has its per-user indexes to choose from and nothing else. The
 * fair-queue frontier (the highest round being rendered) reads the few videos rendering
 * through `video_generations_processing_by_user`. An index of those by round was tried: the
 * claim's per-user running count then walked it, dead heartbeat versions and all, for every
 * candidate job (claims went from 0.3 ms to 9 ms under load).
 */
export const sql = /* sql */ `
DROP INDEX video_generations_active_by_round;
CREATE INDEX video_generations_queue_order ON video_generations (fair_round, created_at, id)
  WHERE status = 'queued' AND attempts >= 0;
`;
