import { cancelRefundCredits } from '@app/shared';
import type {
  RequestPasswordResetInput,
  CreateAccountInput,
  CreateAccountResult,
  AccountTokenPurpose,
  MailDraft,
  NewAccountToken,
  TokenUse,
  UserRecord,
} from '../types.ts';
import { signupBonusEntry } from '../signup-bonus.ts';
import { applyEntry } from './ledger.ts';
import type { Db } from './open.ts';
import { enqueueMail } from './outbox.ts';
import { userFromRow } from './rows.ts';
import { statement } from './statements.ts';

/** The account layer's SQL; every function runs inside the caller's transaction. */

type Row = Record<string, unknown>;

const userById = (db: Db, id: string): UserRecord =>
  userFromRow(statement(db, 'SELECT * FROM users WHERE id = ?').get(id) as Row);

export function insertToken(db: Db, userId: string, token: NewAccountToken, now: string): void {
  statement(
    db,
    `INSERT INTO account_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(token.tokenHash, userId, token.purpose, token.email, now, token.expiresAt);
}

function voidTokens(db: Db, userId: string, purpose: AccountTokenPurpose, now: string): void {
  statement(
    db,
    `UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
  ).run(now, userId, purpose);
}

export function createAccount(db: Db, input: CreateAccountInput): CreateAccountResult {
  const inserted = statement(
    db,
    `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
  ).run(input.id, input.email, input.name, input.passwordHash, input.now, input.now);
  if (inserted.changes === 0) return 'email_taken';
  // The primary key on the mailbox decides, also between two signups racing for it.
  const claimed =
    input.signupBonus > 0 &&
    statement(
      db,
      `INSERT INTO signup_bonus_mailboxes (mailbox_hash, user_id, granted_at) VALUES (?, ?, ?)
         ON CONFLICT (mailbox_hash) DO NOTHING`,
    ).run(input.bonusMailboxHash, input.id, input.now).changes > 0;
  if (claimed) {
    applyEntry(db, input.id, signupBonusEntry(input.id, input.signupBonus), input.now);
  }
  insertToken(db, input.id, input.verification, input.now);
  for (const draft of input.mail) enqueueMail(db, draft, input.now);
  return { user: userById(db, input.id), bonusGranted: claimed };
}

export function issueAccountToken(
  db: Db,
  input: { userId: string; token: NewAccountToken; now: string; mail: MailDraft[] },
): void {
  // Only the newest email change is pending: an older link must not switch to another address.
  if (input.token.purpose === 'change_email')
    voidTokens(db, input.userId, 'change_email', input.now);
  insertToken(db, input.userId, input.token, input.now);
  for (const draft of input.mail) enqueueMail(db, draft, input.now);
}

export function requestPasswordReset(db: Db, input: RequestPasswordResetInput): boolean {
  const row = statement(db, 'SELECT * FROM users WHERE email = ? AND deleted_at IS NULL').get(
    input.email,
  ) as Row | undefined;
  if (!row) return false;
  const user = userFromRow(row);
  insertToken(db, user.id, { ...input.token, email: user.email }, input.now);
  for (const draft of input.mail(user)) enqueueMail(db, draft, input.now);
  return true;
}

/** The token row if it is live for this purpose: unused, unexpired, its account not deleted. */
function liveToken(
  db: Db,
  tokenHash: string,
  purpose: AccountTokenPurpose,
  now: string,
): TokenUse<{ user: UserRecord; email: string }> {
  const row = statement(
    db,
    `SELECT t.email AS token_email, t.expires_at AS token_expires_at, t.used_at AS token_used_at,
            u.* FROM account_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ? AND t.purpose = ?`,
  ).get(tokenHash, purpose) as Row | undefined;
  if (!row || row.token_used_at !== null || row.deleted_at !== null) return { kind: 'invalid' };
  if ((row.token_expires_at as string) <= now) return { kind: 'expired' };
  return { kind: 'ok', value: { user: userFromRow(row), email: row.token_email as string } };
}

export const findAccountToken = liveToken;

function markUsed(db: Db, tokenHash: string, now: string): void {
  statement(db, 'UPDATE account_tokens SET used_at = ? WHERE token_hash = ?').run(now, tokenHash);
}

export function useVerificationToken(db: Db, tokenHash: string, now: string): TokenUse<UserRecord> {
  const found = liveToken(db, tokenHash, 'verify_email', now);
  if (found.kind !== 'ok') return found;
  const { user, email } = found.value;
  // A link sent to an address the account no longer has proves nothing about the current one.
  if (email !== user.email) return { kind: 'invalid' };
  markUsed(db, tokenHash, now);
  statement(
    db,
    `UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?`,
  ).run(now, now, user.id);
  return { kind: 'ok', value: userById(db, user.id) };
}

export function useResetToken(
  db: Db,
  input: { tokenHash: string; userId: string; passwordHash: string; now: string },
): TokenUse<UserRecord> {
  const found = liveToken(db, input.tokenHash, 'reset_password', input.now);
  if (found.kind !== 'ok') return found;
  const { user, email } = found.value;
  if (user.id !== input.userId) return { kind: 'invalid' };
  // Every reset link of the user dies with this one: a second, racing reset finds it used.
  voidTokens(db, user.id, 'reset_password', input.now);
  statement(
    db,
    `UPDATE users SET password_hash = ?, updated_at = ?,
         email_verified_at = CASE WHEN email = ? THEN COALESCE(email_verified_at, ?) ELSE email_verified_at END
       WHERE id = ?`,
  ).run(input.passwordHash, input.now, email, input.now, user.id);
  statement(db, 'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(
    input.now,
    user.id,
  );
  return { kind: 'ok', value: userById(db, user.id) };
}

export function useEmailChangeToken(db: Db, tokenHash: string, now: string): TokenUse<UserRecord> {
  const found = liveToken(db, tokenHash, 'change_email', now);
  if (found.kind !== 'ok') return found;
  const { user, email } = found.value;
  const taken = statement(db, 'SELECT 1 FROM users WHERE email = ? AND id <> ?').get(
    email,
    user.id,
  );
  if (taken) return { kind: 'email_taken' };
  voidTokens(db, user.id, 'change_email', now);
  // Links sent to the old address must not verify the new one.
  voidTokens(db, user.id, 'verify_email', now);
  statement(
    db,
    'UPDATE users SET email = ?, email_verified_at = ?, updated_at = ? WHERE id = ?',
  ).run(email, now, now, user.id);
  return { kind: 'ok', value: userById(db, user.id) };
}

export function setNotificationSettings(
  db: Db,
  input: { userId: string; refundNotice: boolean; lowBalance: boolean; now: string },
): UserRecord | null {
  const info = statement(
    db,
    `UPDATE users SET notify_refunds = ?, notify_low_balance = ?, updated_at = ?
       WHERE id = ? AND deleted_at IS NULL`,
  ).run(input.refundNotice ? 1 : 0, input.lowBalance ? 1 : 0, input.now, input.userId);
  return info.changes === 0 ? null : userById(db, input.userId);
}

export function deleteAccount(
  db: Db,
  input: { userId: string; now: string },
): { forfeited: number; videoFiles: string[]; activeVideoIds: string[] } | null {
  const { userId, now } = input;
  const live = statement(db, 'SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL').get(userId);
  if (!live) return null;
  // Videos still waiting or rendering are canceled under the usual policy first (their refund
  // entries keep the ledger's per-video invariants), then the whole balance is forfeited.
  const active = statement(
    db,
    `SELECT id, status, credits_used, progress FROM video_generations
       WHERE user_id = ? AND status IN ('queued', 'processing')`,
  ).all(userId) as Array<{
    id: string;
    status: 'queued' | 'processing';
    credits_used: number;
    progress: number;
  }>;
  for (const v of active) {
    const refund = cancelRefundCredits({
      status: v.status,
      creditsUsed: v.credits_used,
      progress: v.progress,
    });
    statement(
      db,
      `UPDATE video_generations SET status = 'canceled', error = 'Account deleted',
           credits_refunded = ?, completed_at = ?, updated_at = ? WHERE id = ?`,
    ).run(refund, now, now, v.id);
    if (refund > 0) {
      applyEntry(
        db,
        userId,
        {
          type: 'refund',
          amount: refund,
          referenceType: 'video',
          referenceId: v.id,
          description: 'Refund: video canceled (account deleted)',
        },
        now,
      );
    }
  }
  const balance = statement(db, 'SELECT credit_balance FROM users WHERE id = ?', {
    pluck: true,
  }).get(userId) as number;
  if (balance > 0) {
    applyEntry(
      db,
      userId,
      {
        type: 'adjustment',
        amount: -balance,
        referenceType: 'account_deletion',
        referenceId: userId,
        description: 'Credits forfeited: account deleted',
      },
      now,
    );
  }
  const videoFiles = (
    statement(
      db,
      'SELECT file_path FROM video_generations WHERE user_id = ? AND file_path IS NOT NULL',
      { pluck: true },
    ).all(userId) as string[]
  ).filter((f) => f !== '');
  // Personal data goes; what accounting needs (ledger, payments, video charges) stays under
  // the anonymous id.
  statement(
    db,
    `UPDATE video_generations SET prompt = '', file_path = NULL, error = CASE WHEN error IS NULL
         THEN NULL ELSE 'Account deleted' END WHERE user_id = ?`,
  ).run(userId);
  statement(
    db,
    `UPDATE payments SET card_brand = NULL, card_last4 = NULL, stripe_receipt_url = NULL,
         failure_message = NULL WHERE user_id = ?`,
  ).run(userId);
  statement(db, 'DELETE FROM sessions WHERE user_id = ?').run(userId);
  statement(db, 'DELETE FROM account_tokens WHERE user_id = ?').run(userId);
  statement(db, 'DELETE FROM mail_outbox WHERE user_id = ?').run(userId);
  statement(db, 'DELETE FROM idempotency_keys WHERE user_id = ?').run(userId);
  statement(
    db,
    `UPDATE users SET email = ?, name = 'Deleted user', password_hash = '!', email_verified_at = NULL,
         notify_refunds = 0, notify_low_balance = 0, deleted_at = ?, updated_at = ? WHERE id = ?`,
  ).run(`deleted-${userId}@deleted.invalid`, now, now, userId);
  return { forfeited: Math.max(0, balance), videoFiles, activeVideoIds: active.map((v) => v.id) };
}
