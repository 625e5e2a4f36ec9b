/**
 * A user's queued and rendering videos, each in its own small index. The charge counts the
 * user's queued videos (up to the cap) and the claim counts each candidate's running ones;
 * through the shared `status IN ('queued', 'processing')` index either count walked all of
 * the user's queued videos (0.8 ms per claim with 8,000 queued).
 */
export const sql = `
CREATE INDEX video_generations_queued_by_user ON video_generations (user_id)
  WHERE status = 'queued';
CREATE INDEX video_generations_processing_by_user ON video_generations (user_id)
  WHERE status = 'processing';
`;
