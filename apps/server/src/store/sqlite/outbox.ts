import { randomBytes } from 'node:crypto';
import { LOW_BALANCE_THRESHOLD } from '@app/shared';
import type {
  ClaimedMail,
  MailDraft,
  MailParams,
  MailTemplate,
  MarkMailFailedInput,
} from '../types.ts';
import type { Db } from './open.ts';
import { statement } from './statements.ts';

/**
 * The mail outbox's SQL. `enqueueMail` must run inside the transaction of the event that
 * causes the mail, so the mail exists exactly when the event does.
 */

/** The Message-ID domain: fixed, so the header never names the host the server runs on. */
const MESSAGE_ID_DOMAIN = 'mail.credit-video.invalid';

export function enqueueMail(db: Db, draft: MailDraft, now: string): void {
  statement(
    db,
    `INSERT INTO mail_outbox (user_id, to_address, template, params, message_id, state,
       next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
  ).run(
    draft.userId,
    draft.to,
    draft.template,
    JSON.stringify(draft.params),
    `<${randomBytes(16).toString('hex')}@${MESSAGE_ID_DOMAIN}>`,
    now,
    now,
  );
}

/** Each preference is read by its own fixed statement (no column name is interpolated). */
const PREFERENCE = {
  notify_refunds: 'SELECT notify_refunds FROM users WHERE id = ? AND deleted_at IS NULL',
  notify_low_balance: 'SELECT notify_low_balance FROM users WHERE id = ? AND deleted_at IS NULL',
} as const;

/** Queues a mail the user asked for in their settings; the preference is read in this transaction. */
function enqueueIfOptedIn(
  db: Db,
  userId: string,
  preference: keyof typeof PREFERENCE,
  template: MailTemplate,
  params: MailParams,
  now: string,
): void {
  const wanted = statement(db, PREFERENCE[preference], { pluck: true }).get(userId);
  if (wanted === 1) enqueueMail(db, { userId, to: null, template, params }, now);
}

/** "Your N credits are back": after a refund entry for a failed or canceled video. */
export function noticeVideoRefund(
  db: Db,
  input: { userId: string; videoId: string; credits: number; reason: 'failed' | 'canceled' },
  now: string,
): void {
  enqueueIfOptedIn(
    db,
    input.userId,
    'notify_refunds',
    'video_refunded',
    { videoId: input.videoId, credits: input.credits, reason: input.reason },
    now,
  );
}

/**
 * Once per crossing: a debit that takes the balance from at or above the threshold to below
 * it. Staying below sends nothing more; topping up and falling again is a new crossing.
 */
export function noticeLowBalance(
  db: Db,
  input: { userId: string; before: number; after: number },
  now: string,
): void {
  if (!(input.before >= LOW_BALANCE_THRESHOLD && input.after < LOW_BALANCE_THRESHOLD)) return;
  enqueueIfOptedIn(
    db,
    input.userId,
    'notify_low_balance',
    'low_balance',
    { balance: input.after, threshold: LOW_BALANCE_THRESHOLD },
    now,
  );
}

export function claimMail(db: Db, now: string, leaseUntil: string): ClaimedMail | null {
  // A 'sending' row whose lease ran out was claimed by a process that died mid-send.
  const row = statement(
    db,
    `UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, lease_until = @leaseUntil
       WHERE id = (
         SELECT id FROM mail_outbox
         WHERE state IN ('pending', 'sending') AND next_attempt_at <= @now
           AND (state = 'pending' OR lease_until <= @now)
         ORDER BY next_attempt_at, id LIMIT 1)
       RETURNING *`,
  ).get({ now, leaseUntil }) as Record<string, unknown> | undefined;
  if (!row) return null;
  let to = (row.to_address as string | null) ?? null;
  if (to === null && row.user_id !== null) {
    to =
      (statement(db, 'SELECT email FROM users WHERE id = ? AND deleted_at IS NULL', {
        pluck: true,
      }).get(row.user_id) as string | undefined) ?? null;
  }
  return {
    id: row.id as number,
    userId: (row.user_id as string | null) ?? null,
    to,
    template: row.template as MailTemplate,
    params: JSON.parse(row.params as string) as MailParams,
    messageId: row.message_id as string,
    attempts: row.attempts as number,
    createdAt: row.created_at as string,
  };
}

export function markMailSent(db: Db, id: number, now: string): void {
  statement(
    db,
    `UPDATE mail_outbox SET state = 'sent', sent_at = ?, params = '{}', lease_until = NULL,
       last_error = NULL WHERE id = ? AND state = 'sending'`,
  ).run(now, id);
}

export function markMailFailed(db: Db, input: MarkMailFailedInput): void {
  // A mail that will never be sent forgets its parameters as a sent one does.
  statement(
    db,
    `UPDATE mail_outbox SET state = @state, last_error = @error, lease_until = NULL,
       next_attempt_at = COALESCE(@nextAttemptAt, next_attempt_at),
       params = CASE WHEN @state = 'pending' THEN params ELSE '{}' END
     WHERE id = @id AND state = 'sending'`,
  ).run({ ...input, error: input.error.slice(0, 500) });
}

/** Deletes up to `limit` finished mails created before `createdBefore`; returns how many. */
export function pruneFinishedMail(db: Db, createdBefore: string, limit: number): number {
  return statement(
    db,
    `DELETE FROM mail_outbox WHERE id IN (
       SELECT id FROM mail_outbox
        WHERE state IN ('sent', 'failed', 'canceled') AND created_at < ?
        LIMIT ?)`,
  ).run(createdBefore, limit).changes;
}
