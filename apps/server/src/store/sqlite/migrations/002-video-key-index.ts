/**
 * Drops UNIQUE (user_id, idempotency_key) from video_generations. The key's record in
 * idempotency_keys (primary key user, scope, key) is written in the same transaction as the
 * video, so it already guarantees one video per key; the second index only cost a random
 * B-tree insert (and a WAL page) on every charge. SQLite cannot drop a table constraint,
 * so the table is rebuilt, with its indexes and trigger.
 */
export const sql = `
CREATE TABLE video_generations_new (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  idempotency_key TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'canceled')),
  prompt TEXT NOT NULL,
  duration_minutes REAL NOT NULL CHECK (duration_minutes > 0 AND duration_minutes <= 60),
  resolution TEXT NOT NULL CHECK (resolution IN ('720p', '1080p')),
  custom_music INTEGER NOT NULL CHECK (custom_music IN (0, 1)),
  premium_tts INTEGER NOT NULL CHECK (premium_tts IN (0, 1)),
  ai_enhancement INTEGER NOT NULL CHECK (ai_enhancement IN (0, 1)),
  credits_used INTEGER NOT NULL CHECK (credits_used > 0),
  credits_refunded INTEGER NOT NULL DEFAULT 0 CHECK (credits_refunded >= 0),
  progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  error TEXT,
  file_path TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT
) STRICT;
INSERT INTO video_generations_new SELECT
  id, user_id, idempotency_key, status, prompt, duration_minutes, resolution, custom_music,
  premium_tts, ai_enhancement, credits_used, credits_refunded, progress, error, file_path,
  attempts, created_at, updated_at, started_at, completed_at
FROM video_generations;
DROP TABLE video_generations;
ALTER TABLE video_generations_new RENAME TO video_generations;
CREATE INDEX video_generations_by_user ON video_generations (user_id, created_at DESC);
CREATE INDEX video_generations_by_status ON video_generations (status, created_at);
CREATE TRIGGER video_generations_terminal_is_final BEFORE UPDATE OF status ON video_generations
WHEN OLD.status IN ('completed', 'failed', 'canceled') AND NEW.status <> OLD.status
BEGIN SELECT RAISE(ABORT, 'video already reached a terminal state'); END;
`;
