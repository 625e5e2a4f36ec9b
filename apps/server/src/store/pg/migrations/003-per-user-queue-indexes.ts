/**
 * SQLite's migration 13 for PostgreSQL: a user's queued and rendering videos, each in its own
 * small index. The charge counts the user's queued videos (up to the cap) and the claim counts
 * each candidate's running ones; through the shared active index either count walks every
 * queued video of the user.
 */
export const sql = /* sql */ `
CREATE INDEX video_generations_queued_by_user ON video_generations (user_id)
  WHERE status = 'queued';
CREATE INDEX video_generations_processing_by_user ON video_generations (user_id)
  WHERE status = 'processing';
`;
