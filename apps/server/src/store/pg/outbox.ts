import { randomBytes } from 'node:crypto';
import { LOW_BALANCE_THRESHOLD } from '@app/shared';
import type {
  ClaimedMail,
  MailDraft,
  MailParams,
  MailTemplate,
  MarkMailFailedInput,
} from '../types.ts';
import type { Q } from './sql.ts';

/** The mail outbox, as in SQLite: a mail is queued in the transaction of its event. */
const MESSAGE_ID_DOMAIN = 'mail.credit-video.invalid';

/** A fresh Message-ID; also passed to the charge function, which may queue a mail. */
export const newMessageId = () => `<${randomBytes(16).toString('hex')}@${MESSAGE_ID_DOMAIN}>`;

export async function enqueueMail(q: Q, draft: MailDraft, now: string): Promise<void> {
  await q.run(
    `INSERT INTO mail_outbox (user_id, to_address, template, params, message_id, state,
       next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
    [
      draft.userId,
      draft.to,
      draft.template,
      JSON.stringify(draft.params),
      newMessageId(),
      now,
      now,
    ],
  );
}

const PREFERENCE = {
  notify_refunds: 'SELECT notify_refunds FROM users WHERE id = ? AND deleted_at IS NULL',
  notify_low_balance: 'SELECT notify_low_balance FROM users WHERE id = ? AND deleted_at IS NULL',
} as const;

async function enqueueIfOptedIn(
  q: Q,
  userId: string,
  preference: keyof typeof PREFERENCE,
  template: MailTemplate,
  params: MailParams,
  now: string,
): Promise<void> {
  const wanted = await q.value(PREFERENCE[preference], [userId]);
  if (wanted === 1) await enqueueMail(q, { userId, to: null, template, params }, now);
}

export function noticeVideoRefund(
  q: Q,
  input: { userId: string; videoId: string; credits: number; reason: 'failed' | 'canceled' },
  now: string,
): Promise<void> {
  return enqueueIfOptedIn(
    q,
    input.userId,
    'notify_refunds',
    'video_refunded',
    { videoId: input.videoId, credits: input.credits, reason: input.reason },
    now,
  );
}

export async function noticeLowBalance(
  q: Q,
  input: { userId: string; before: number; after: number },
  now: string,
): Promise<void> {
  if (!(input.before >= LOW_BALANCE_THRESHOLD && input.after < LOW_BALANCE_THRESHOLD)) return;
  await enqueueIfOptedIn(
    q,
    input.userId,
    'notify_low_balance',
    'low_balance',
    { balance: input.after, threshold: LOW_BALANCE_THRESHOLD },
    now,
  );
}

export async function claimMail(
  q: Q,
  now: string,
  leaseUntil: string,
): Promise<ClaimedMail | null> {
  // SKIP LOCKED: two instances' senders never take the same mail.
  const row = await q.get(
    `UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, lease_until = @leaseUntil
       WHERE id = (
         SELECT id FROM mail_outbox
         WHERE state IN ('pending', 'sending') AND next_attempt_at <= @now
           AND (state = 'pending' OR lease_until <= @now)
         ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
    { now, leaseUntil },
  );
  if (!row) return null;
  let to = (row.to_address as string | null) ?? null;
  if (to === null && row.user_id !== null) {
    to =
      (await q.value<string>('SELECT email FROM users WHERE id = ? AND deleted_at IS NULL', [
        row.user_id,
      ])) ?? null;
  }
  return {
    id: Number(row.id),
    userId: (row.user_id as string | null) ?? null,
    to,
    template: row.template as MailTemplate,
    params: JSON.parse(row.params as string) as MailParams,
    messageId: row.message_id as string,
    attempts: row.attempts as number,
    createdAt: row.created_at as string,
  };
}

export async function markMailSent(q: Q, id: number, now: string): Promise<void> {
  await q.run(
    `UPDATE mail_outbox SET state = 'sent', sent_at = ?, params = '{}', lease_until = NULL,
       last_error = NULL WHERE id = ? AND state = 'sending'`,
    [now, id],
  );
}

export async function markMailFailed(q: Q, input: MarkMailFailedInput): Promise<void> {
  await q.run(
    `UPDATE mail_outbox SET state = @state, last_error = @error, lease_until = NULL,
       next_attempt_at = COALESCE(@nextAttemptAt, next_attempt_at),
       params = CASE WHEN @state = 'pending' THEN params ELSE '{}' END
     WHERE id = @id AND state = 'sending'`,
    { ...input, error: input.error.slice(0, 500) },
  );
}

export const pruneFinishedMail = (
  q: Q,
  input: { createdBefore: string; limit: number },
): Promise<number> =>
  q.run(
    `DELETE FROM mail_outbox WHERE id IN (
       SELECT id FROM mail_outbox
        WHERE state IN ('sent', 'failed', 'canceled') AND created_at < ? LIMIT ?)`,
    [input.createdBefore, input.limit],
  );
