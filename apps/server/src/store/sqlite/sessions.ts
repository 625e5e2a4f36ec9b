import type {
  ChangePasswordInput,
  IsSessionActiveInput,
  NewSession,
  PruneSessionsInput,
  RevokeSessionInput,
  RevokeUserSessionsInput,
  UserRecord,
} from '../types.ts';
import type { Db } from './open.ts';
import { statement } from './statements.ts';
import { findUserById } from './users.ts';

/** Sessions (one row per access token); every function runs inside the caller's transaction. */

export function insertSession(db: Db, session: NewSession): void {
  statement(
    db,
    'INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
  ).run(session.id, session.userId, session.createdAt, session.expiresAt);
}

export function isSessionActive(db: Db, input: IsSessionActiveInput): boolean {
  // Joined with users: a token of an account that no longer exists, or that an admin
  // disabled, is refused as well.
  return (
    statement(
      db,
      `SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL
           AND u.disabled_at IS NULL`,
      { pluck: true },
    ).get(input.sessionId, input.userId) !== undefined
  );
}

export function revokeSession(db: Db, input: RevokeSessionInput): boolean {
  return (
    statement(
      db,
      'UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
    ).run(input.now, input.id, input.userId).changes > 0
  );
}

export function revokeUserSessions(db: Db, input: RevokeUserSessionsInput): number {
  return statement(
    db,
    'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
  ).run(input.now, input.userId).changes;
}

export function changePassword(db: Db, input: ChangePasswordInput): UserRecord | null {
  const updated = statement(
    db,
    'UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?',
  ).run(input.passwordHash, input.now, input.userId);
  if (updated.changes === 0) return null;
  revokeUserSessions(db, input);
  insertSession(db, input.session);
  return findUserById(db, { id: input.userId });
}

export function pruneSessions(db: Db, input: PruneSessionsInput): number {
  return statement(
    db,
    `DELETE FROM sessions WHERE id IN (
       SELECT id FROM sessions WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
  ).run(input.expiredBefore, input.limit).changes;
}
