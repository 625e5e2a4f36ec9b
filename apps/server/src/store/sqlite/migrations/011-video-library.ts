/**
 * The video library: a user may delete a finished video. The row stays (its ledger entries
 * reference it, and ledger:verify checks one usage per video), marked `deleted_at`, with its
 * prompt and file cleared; lists and reads skip it. The partial index holds only deleted
 * videos, so "has this user deleted anything?" is one probe and the common case (nothing
 * deleted) keeps the seek-paged list of migration 6.
 */
export const sql = `
ALTER TABLE video_generations ADD COLUMN deleted_at TEXT;
CREATE INDEX video_generations_deleted ON video_generations (user_id) WHERE deleted_at IS NOT NULL;
`;
