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
import { userFromRow } from '../sqlite/rows.ts';
import { signupBonusEntry } from '../signup-bonus.ts';
import { applyEntry, lockUser } from './ledger.ts';
import { enqueueMail } from './outbox.ts';
import type { Q } from './sql.ts';

/** The account layer's SQL (as sqlite/accounts.ts); every function runs in the caller's transaction. */

type Row = Record<string, unknown>;

const userById = async (q: Q, id: string): Promise<UserRecord> =>
  userFromRow((await q.get('SELECT * FROM users WHERE id = ?', [id]))!);

async function insertToken(q: Q, userId: string, token: NewAccountToken, now: string) {
  await q.run(
    `INSERT INTO account_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    [token.tokenHash, userId, token.purpose, token.email, now, token.expiresAt],
  );
}

async function voidTokens(q: Q, userId: string, purpose: AccountTokenPurpose, now: string) {
  await q.run(
    `UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL`,
    [now, userId, purpose],
  );
}

export async function createAccount(q: Q, input: CreateAccountInput): Promise<CreateAccountResult> {
  const inserted = await q.run(
    `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
    [input.id, input.email, input.name, input.passwordHash, input.now, input.now],
  );
  if (inserted === 0) return 'email_taken';
  const claimed =
    input.signupBonus > 0 &&
    (await q.run(
      `INSERT INTO signup_bonus_mailboxes (mailbox_hash, user_id, granted_at) VALUES (?, ?, ?)
         ON CONFLICT (mailbox_hash) DO NOTHING`,
      [input.bonusMailboxHash, input.id, input.now],
    )) > 0;
  if (claimed) {
    await applyEntry(q, input.id, signupBonusEntry(input.id, input.signupBonus), input.now);
  }
  await insertToken(q, input.id, input.verification, input.now);
  for (const draft of input.mail) await enqueueMail(q, draft, input.now);
  return { user: await userById(q, input.id), bonusGranted: claimed };
}

export async function issueAccountToken(
  q: Q,
  input: { userId: string; token: NewAccountToken; now: string; mail: MailDraft[] },
): Promise<void> {
  await lockUser(q, input.userId);
  if (input.token.purpose === 'change_email')
    await voidTokens(q, input.userId, 'change_email', input.now);
  await insertToken(q, input.userId, input.token, input.now);
  for (const draft of input.mail) await enqueueMail(q, draft, input.now);
}

export async function requestPasswordReset(
  q: Q,
  input: RequestPasswordResetInput,
): Promise<boolean> {
  const row = await q.get('SELECT * FROM users WHERE email = ? AND deleted_at IS NULL', [
    input.email,
  ]);
  if (!row) return false;
  const user = userFromRow(row);
  await insertToken(q, user.id, { ...input.token, email: user.email }, input.now);
  for (const draft of input.mail(user)) await enqueueMail(q, draft, input.now);
  return true;
}

/** `lock`: inside a write, the token row is locked so two uses of one link serialize. */
async function liveToken(
  q: Q,
  tokenHash: string,
  purpose: AccountTokenPurpose,
  now: string,
  lock = false,
): Promise<TokenUse<{ user: UserRecord; email: string }>> {
  const row = await q.get<Row>(
    `SELECT t.email AS token_email, t.expires_at AS token_expires_at, t.used_at AS token_used_at,
            u.* FROM account_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ? AND t.purpose = ?${lock ? ' FOR UPDATE' : ''}`,
    [tokenHash, purpose],
  );
  if (!row || row.token_used_at !== null || row.deleted_at !== null) return { kind: 'invalid' };
  if ((row.token_expires_at as string) <= now) return { kind: 'expired' };
  return { kind: 'ok', value: { user: userFromRow(row), email: row.token_email as string } };
}

export const findAccountToken = (
  q: Q,
  tokenHash: string,
  purpose: AccountTokenPurpose,
  now: string,
) => liveToken(q, tokenHash, purpose, now);

const markUsed = (q: Q, tokenHash: string, now: string) =>
  q.run('UPDATE account_tokens SET used_at = ? WHERE token_hash = ?', [now, tokenHash]);

export async function useVerificationToken(
  q: Q,
  tokenHash: string,
  now: string,
): Promise<TokenUse<UserRecord>> {
  const found = await liveToken(q, tokenHash, 'verify_email', now, true);
  if (found.kind !== 'ok') return found;
  const { user, email } = found.value;
  if (email !== user.email) return { kind: 'invalid' };
  await markUsed(q, tokenHash, now);
  await q.run(
    `UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?`,
    [now, now, user.id],
  );
  return { kind: 'ok', value: await userById(q, user.id) };
}

export async function useResetToken(
  q: Q,
  input: { tokenHash: string; userId: string; passwordHash: string; now: string },
): Promise<TokenUse<UserRecord>> {
  await lockUser(q, input.userId);
  const found = await liveToken(q, input.tokenHash, 'reset_password', input.now, true);
  if (found.kind !== 'ok') return found;
  const { user, email } = found.value;
  if (user.id !== input.userId) return { kind: 'invalid' };
  await voidTokens(q, user.id, 'reset_password', input.now);
  await q.run(
    `UPDATE users SET password_hash = ?, updated_at = ?,
         email_verified_at = CASE WHEN email = ? THEN COALESCE(email_verified_at, ?) ELSE email_verified_at END
       WHERE id = ?`,
    [input.passwordHash, input.now, email, input.now, user.id],
  );
  await q.run('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [
    input.now,
    user.id,
  ]);
  return { kind: 'ok', value: await userById(q, user.id) };
}

export async function useEmailChangeToken(
  q: Q,
  tokenHash: string,
  now: string,
): Promise<TokenUse<UserRecord>> {
  const found = await liveToken(q, tokenHash, 'change_email', now, true);
  if (found.kind !== 'ok') return found;
  const { user, email } = found.value;
  const taken = await q.value('SELECT 1 FROM users WHERE email = ? AND id <> ?', [email, user.id]);
  if (taken) return { kind: 'email_taken' };
  await voidTokens(q, user.id, 'change_email', now);
  await voidTokens(q, user.id, 'verify_email', now);
  await q.run('UPDATE users SET email = ?, email_verified_at = ?, updated_at = ? WHERE id = ?', [
    email,
    now,
    now,
    user.id,
  ]);
  return { kind: 'ok', value: await userById(q, user.id) };
}

export async function setNotificationSettings(
  q: Q,
  input: { userId: string; refundNotice: boolean; lowBalance: boolean; now: string },
): Promise<UserRecord | null> {
  const changed = await q.run(
    `UPDATE users SET notify_refunds = ?, notify_low_balance = ?, updated_at = ?
       WHERE id = ? AND deleted_at IS NULL`,
    [input.refundNotice ? 1 : 0, input.lowBalance ? 1 : 0, input.now, input.userId],
  );
  return changed === 0 ? null : userById(q, input.userId);
}

export async function deleteAccount(
  q: Q,
  input: { userId: string; now: string },
): Promise<{ forfeited: number; videoFiles: string[]; activeVideoIds: string[] } | null> {
  const { userId, now } = input;
  await lockUser(q, userId);
  const live = await q.value('SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL', [userId]);
  if (!live) return null;
  const active = await q.all<{
    id: string;
    status: 'queued' | 'processing';
    credits_used: number;
    progress: number;
  }>(
    `SELECT id, status, credits_used, progress FROM video_generations
       WHERE user_id = ? AND status IN ('queued', 'processing') ORDER BY id FOR UPDATE`,
    [userId],
  );
  for (const v of active) {
    const refund = cancelRefundCredits({
      status: v.status,
      creditsUsed: v.credits_used,
      progress: v.progress,
    });
    await q.run(
      `UPDATE video_generations SET status = 'canceled', error = 'Account deleted',
           credits_refunded = ?, completed_at = ?, updated_at = ? WHERE id = ?`,
      [refund, now, now, v.id],
    );
    if (refund > 0) {
      await applyEntry(
        q,
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
  const balance = (await q.value<number>('SELECT credit_balance FROM users WHERE id = ?', [
    userId,
  ]))!;
  if (balance > 0) {
    await applyEntry(
      q,
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
    await q.all<{ file_path: string }>(
      'SELECT file_path FROM video_generations WHERE user_id = ? AND file_path IS NOT NULL',
      [userId],
    )
  )
    .map((r) => r.file_path)
    .filter((f) => f !== '');
  await q.run(
    `UPDATE video_generations SET prompt = '', file_path = NULL, error = CASE WHEN error IS NULL
         THEN NULL ELSE 'Account deleted' END WHERE user_id = ?`,
    [userId],
  );
  await q.run(
    `UPDATE payments SET card_brand = NULL, card_last4 = NULL, stripe_receipt_url = NULL,
         failure_message = NULL WHERE user_id = ?`,
    [userId],
  );
  await q.run('DELETE FROM sessions WHERE user_id = ?', [userId]);
  await q.run('DELETE FROM account_tokens WHERE user_id = ?', [userId]);
  await q.run('DELETE FROM mail_outbox WHERE user_id = ?', [userId]);
  await q.run('DELETE FROM idempotency_keys WHERE user_id = ?', [userId]);
  await q.run(
    `UPDATE users SET email = ?, name = 'Deleted user', password_hash = '!', email_verified_at = NULL,
         notify_refunds = 0, notify_low_balance = 0, deleted_at = ?, updated_at = ? WHERE id = ?`,
    [`deleted-${userId}@deleted.invalid`, now, now, userId],
  );
  return { forfeited: Math.max(0, balance), videoFiles, activeVideoIds: active.map((v) => v.id) };
}
