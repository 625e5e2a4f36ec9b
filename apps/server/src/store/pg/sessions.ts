import type {
  ChangePasswordInput,
  IsSessionActiveInput,
  NewSession,
  PruneSessionsInput,
  RevokeSessionInput,
  RevokeUserSessionsInput,
  UserRecord,
} from '../types.ts';
import type { Q } from './sql.ts';
import { findUserById } from './users.ts';

/** Sessions, as sqlite/sessions.ts; every function runs inside the caller's transaction. */

export async function insertSession(q: Q, session: NewSession): Promise<void> {
  await q.run('INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [
    session.id,
    session.userId,
    session.createdAt,
    session.expiresAt,
  ]);
}

export async function isSessionActive(q: Q, input: IsSessionActiveInput): Promise<boolean> {
  return (
    (await q.value(
      `SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND u.disabled_at IS NULL`,
      [input.sessionId, input.userId],
      'prepared_session_active',
    )) !== undefined
  );
}

export async function revokeSession(q: Q, input: RevokeSessionInput): Promise<boolean> {
  return (
    (await q.run(
      'UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
      [input.now, input.id, input.userId],
    )) > 0
  );
}

export const revokeUserSessions = (q: Q, input: RevokeUserSessionsInput): Promise<number> =>
  q.run('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [
    input.now,
    input.userId,
  ]);

export async function changePassword(q: Q, input: ChangePasswordInput): Promise<UserRecord | null> {
  const updated = await q.run('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?', [
    input.passwordHash,
    input.now,
    input.userId,
  ]);
  if (updated === 0) return null;
  await revokeUserSessions(q, input);
  await insertSession(q, input.session);
  return findUserById(q, { id: input.userId });
}

export const pruneSessions = (q: Q, input: PruneSessionsInput): Promise<number> =>
  q.run(
    `DELETE FROM sessions WHERE id IN (
       SELECT id FROM sessions WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
    [input.expiredBefore, input.limit],
  );
