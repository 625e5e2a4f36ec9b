import type { ChargeVideoInput, ChargeVideoResult } from '../types.ts';
import { idempotencyRecord, recordOutcome, replayOf } from './idempotency.ts';
import { applyEntry, LedgerRejected } from './ledger.ts';
import { balanceOf } from './ledger-queries.ts';
import type { Db } from './open.ts';
import * as outbox from './outbox.ts';
import { videoFromRow } from './rows.ts';
import { statement } from './statements.ts';
import { isSessionActive } from './sessions.ts';
import { findUserById } from './users.ts';
import { nextUserSeq } from './user-seq.ts';
import { ACTIVE } from './videos.ts';

/**
 * The charge: debit and queue a video in the caller's transaction (synchronous, no awaits),
 * with the Idempotency-Key's record and outcome when the request carried one.
 */

type Row = Record<string, unknown>;

/** Thrown inside the transaction so the video row rolls back with the refused debit. */
export class InsufficientInsideTx extends Error {
  constructor(readonly balance: number) {
    super('insufficient');
  }
}

/**
 * The caller's checks the charge makes when asked (`sessionId`, `requireVerifiedEmail`), or
 * null when they pass. Reads only, run first in the charge's own savepoint: inside the group's
 * transaction they need no read transaction of their own, and a session revoked a moment
 * before is seen. Run before the transaction instead, generate cost about 30 µs more CPU per
 * request (8 % in alternating slices, 3 December).
 */
export function callerRefusal(
  db: Db,
  input: ChargeVideoInput,
): Extract<ChargeVideoResult, { kind: 'session_ended' | 'email_not_verified' }> | null {
  const userId = input.video.userId;
  if (
    input.sessionId !== undefined &&
    !isSessionActive(db, { sessionId: input.sessionId, userId })
  ) {
    return { kind: 'session_ended' };
  }
  if (input.requireVerifiedEmail && !findUserById(db, { id: userId })?.emailVerifiedAt) {
    return { kind: 'email_not_verified' };
  }
  return null;
}

export function chargeAndCreateVideo(db: Db, input: ChargeVideoInput): ChargeVideoResult {
  const v = input.video;
  const idem = input.idempotency;
  if (idem) {
    const row = idempotencyRecord(db, v.userId, idem);
    if (row && row.request_hash !== idem.requestHash) return { kind: 'key_reused' };
    if (row && row.state === 'completed') return replayOf(row);
  }
  // Each round is read from the end of an index (ORDER BY ... DESC LIMIT 1): one seek, where
  // MAX() over the user's active videos read every one of them.
  const queue = statement(
    db,
    `SELECT
       (SELECT COUNT(*) FROM video_generations
          WHERE user_id = @userId AND status = 'queued') AS queued,
       (SELECT fair_round FROM video_generations
          WHERE user_id = @userId AND status = 'queued'
          ORDER BY fair_round DESC LIMIT 1) AS queuedRound,
       (SELECT fair_round FROM video_generations
          WHERE user_id = @userId AND status = 'processing'
          ORDER BY fair_round DESC LIMIT 1) AS renderingRound,
       (SELECT fair_round FROM video_generations
          WHERE ${ACTIVE} AND status = 'processing'
          ORDER BY fair_round DESC LIMIT 1) AS frontier`,
  ).get({ userId: v.userId }) as {
    // A plain count stays small because this charge is what keeps a user's queue at or under
    // the cap (a requeued lease adds at most the running cap). Counting inside a LIMITed
    // sub-select instead cost four times as much per charge in the measured range (SQLite
    // steps a co-routine once per row).
    queued: number;
    queuedRound: number | null;
    renderingRound: number | null;
    frontier: number | null;
  };
  // Not remembered with the Idempotency-Key: it passes once the queue drains, and a retry
  // with the same key must then go through.
  if (queue.queued >= input.maxQueued) {
    return { kind: 'too_many_queued', queued: queue.queued, limit: input.maxQueued };
  }
  // Start-time fair queueing: a user's next job goes one round after their last active one,
  // but never before the round being rendered now, so waiting does not build up credit.
  const userRound = Math.max(queue.queuedRound ?? 0, queue.renderingRound ?? 0);
  const fairRound = Math.max(queue.frontier ?? 0, userRound + 1);
  const balance = balanceOf(db, v.userId);
  if (balance < 0 || balance < v.creditsUsed) {
    const refused = {
      kind: balance < 0 ? ('owes' as const) : ('insufficient' as const),
      balance,
      required: v.creditsUsed,
    };
    if (idem) recordOutcome(db, v.userId, idem, refused, v.createdAt);
    return refused;
  }
  const video = videoFromRow(
    statement(
      db,
      `INSERT INTO video_generations (id, user_id, idempotency_key, status, prompt, duration_minutes,
         resolution, custom_music, premium_tts, ai_enhancement, credits_used, created_at, updated_at,
         fair_round, user_seq)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${nextUserSeq('video_generations')})
       RETURNING *`,
    ).get(
      v.id,
      v.userId,
      v.idempotencyKey,
      v.prompt,
      v.durationMinutes,
      v.resolution,
      v.customMusic ? 1 : 0,
      v.premiumTTS ? 1 : 0,
      v.aiEnhancement ? 1 : 0,
      v.creditsUsed,
      v.createdAt,
      v.createdAt,
      fairRound,
      v.userId,
    ) as Row,
  );
  try {
    const { balanceAfter } = applyEntry(
      db,
      v.userId,
      {
        type: 'usage',
        amount: -v.creditsUsed,
        referenceType: 'video',
        referenceId: v.id,
        description: `Video generation (${v.resolution}, ${v.durationMinutes} min)`,
      },
      v.createdAt,
    );
    outbox.noticeLowBalance(
      db,
      { userId: v.userId, before: balance, after: balanceAfter },
      v.createdAt,
    );
    const created = { kind: 'created' as const, video, balance: balanceAfter };
    if (idem) recordOutcome(db, v.userId, idem, created, v.createdAt);
    return created;
  } catch (err) {
    if (err instanceof LedgerRejected && err.reason === 'insufficient') {
      // Throwing rolls back the video row as well.
      throw new InsufficientInsideTx(balanceOf(db, v.userId));
    }
    throw err;
  }
}
