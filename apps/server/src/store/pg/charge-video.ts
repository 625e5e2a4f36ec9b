import { LOW_BALANCE_THRESHOLD } from '@app/shared';
import type { ChargeVideoInput, ChargeVideoResult } from '../types.ts';
import * as outbox from './outbox.ts';
import type { Q } from './sql.ts';

/**
 * One statement, one round trip: `charge_video` (migration 6 over migration 4) checks the
 * caller's session and verified address when asked, locks the user, looks the key up, checks
 * the queue cap and the balance, writes the video, the debit, the low-balance mail and the
 * key's record with the outcome, and commits. Other instances' workers hear of the video
 * afterwards (queue-announcer.ts): a NOTIFY inside made charges commit one at a time.
 * `no_user` (or nothing): the user does not exist.
 */
export function chargeVideoStatement(
  q: Q,
  input: ChargeVideoInput,
): Promise<ChargeStatementResult | undefined> {
  return q.value<ChargeStatementResult>(
    `SELECT charge_video(p_session_id => @sessionId,
       p_require_verified_email => @requireVerifiedEmail, p_user_id => @userId,
       p_video_id => @id, p_video_key => @videoKey,
       p_prompt => @prompt, p_duration_minutes => @durationMinutes,
       p_resolution => @resolution, p_custom_music => @customMusic,
       p_premium_tts => @premiumTTS, p_ai_enhancement => @aiEnhancement,
       p_credits_used => @creditsUsed, p_description => @description,
       p_created_at => @createdAt, p_max_queued => @maxQueued, p_scope => @scope,
       p_key => @key, p_request_hash => @requestHash,
       p_low_balance_threshold => @lowBalance, p_mail_message_id => @messageId)`,
    chargeArguments(input),
    'prepared_charge_video',
  );
}

/**
 * Several charges, one statement and one transaction (migration 8): each result at its
 * input's position. A charge that fails rolls back every one; the caller decides what next.
 */
export async function chargeVideosStatement(
  q: Q,
  inputs: readonly ChargeVideoInput[],
): Promise<ChargeStatementResult[]> {
  const byPosition = await q.value<Record<string, ChargeStatementResult>>(
    'SELECT charge_videos(@charges::jsonb)',
    { charges: JSON.stringify(inputs.map(chargeArguments)) },
    'prepared_charge_videos',
  );
  return inputs.map((_, i) => {
    const result = byPosition?.[String(i)];
    if (!result) throw new Error(`charge_videos returned no result for position ${i}`);
    return result;
  });
}

export type ChargeStatementResult = ChargeVideoResult | { kind: 'no_user' };

/** The charge function's arguments by name: bound one by one, or a batch's JSON element. */
function chargeArguments(input: ChargeVideoInput) {
  const v = input.video;
  const idem = input.idempotency;
  return {
    sessionId: input.sessionId ?? null,
    requireVerifiedEmail: input.requireVerifiedEmail ?? false,
    userId: v.userId,
    id: v.id,
    videoKey: v.idempotencyKey ?? null,
    prompt: v.prompt,
    durationMinutes: v.durationMinutes,
    resolution: v.resolution,
    customMusic: v.customMusic ? 1 : 0,
    premiumTTS: v.premiumTTS ? 1 : 0,
    aiEnhancement: v.aiEnhancement ? 1 : 0,
    creditsUsed: v.creditsUsed,
    description: `Video generation (${v.resolution}, ${v.durationMinutes} min)`,
    createdAt: v.createdAt,
    maxQueued: input.maxQueued,
    scope: idem?.scope ?? null,
    key: idem?.key ?? null,
    requestHash: idem?.requestHash ?? null,
    lowBalance: LOW_BALANCE_THRESHOLD,
    messageId: outbox.newMessageId(),
  };
}
