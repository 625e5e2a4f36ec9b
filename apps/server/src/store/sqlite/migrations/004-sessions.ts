/**
 * Server-side sessions: every access token names its row (the `sid` claim), so signing out
 * revokes one token and a password change revokes them all. A token whose row is missing,
 * revoked or past its expiry is refused even though its signature is valid. WITHOUT ROWID:
 * the row lives in the primary-key B-tree, so the check on every request is one lookup.
 */
export const sql = `
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
`;
