/**
 * Fair scheduling and per-user job caps. `fair_round` is the job's place in a round robin
 * across users (start-time fair queueing): the claim takes the lowest round, so one user's
 * long queue no longer delays everyone else's videos.
 *
 * The two indexes hold only jobs that are waiting or rendering (a small, hot set however
 * large the table grows): one orders the claim, the other answers "how many does this user
 * have queued / running" for the caps. SQLite uses a partial index only when the query
 * repeats its WHERE term, so the store's queries carry `status IN ('queued', 'processing')`.
 * They replace the status index, which indexed every finished video as well.
 */
export const sql = `
ALTER TABLE video_generations ADD COLUMN fair_round INTEGER NOT NULL DEFAULT 0;
DROP INDEX video_generations_by_status;
CREATE INDEX video_generations_active_by_round
  ON video_generations (status, fair_round, created_at, id)
  WHERE status IN ('queued', 'processing');
CREATE INDEX video_generations_active_by_user
  ON video_generations (user_id, status, fair_round)
  WHERE status IN ('queued', 'processing');
`;
