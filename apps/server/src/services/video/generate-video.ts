import { calculateCost, type GenerateVideoRequest } from '@app/shared';
import { newId } from '../../ids.ts';
import { AppError, unauthorized } from '../../errors.ts';
import type { ChargeOutcome, IdempotencyKeyRef, VideoRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { emailNotVerified } from '../accounts/require-verified-email.ts';

export type { ChargeOutcome };

/**
 * What a generation did. A refusal made now is thrown (a typed AppError); a replay hands back
 * the first request's outcome, refusal included, for the HTTP layer to encode as it encoded
 * the first answer.
 */
export type GenerateVideoResult =
  | { kind: 'created'; video: VideoRecord; balance: number }
  | { kind: 'replayed'; outcome: ChargeOutcome }
  /** A key recorded before outcomes were stored: its reply, passed on untouched. */
  | { kind: 'replayed_reply'; status: number; body: string };

/** The typed error of a charge the balance refused, now or when it is replayed. */
export function chargeRefusal(
  outcome: Extract<ChargeOutcome, { kind: 'insufficient' | 'owes' }>,
): AppError {
  const { balance, required } = outcome;
  const details = { required, balance, shortfall: required - balance };
  return outcome.kind === 'owes'
    ? new AppError(
        'ACCOUNT_OWES_CREDITS',
        `Your account owes ${-balance} credits after a refund or dispute; buy credits to generate again`,
        details,
      )
    : new AppError(
        'INSUFFICIENT_CREDITS',
        `This video costs ${required} credits but your balance is ${balance}`,
        details,
      );
}

/**
 * Charges first, renders later: the debit and the video row are one transaction, so a video
 * never exists unpaid and a charge never exists without its video. With an Idempotency-Key
 * the key's record and the charge's outcome (created, or refused by the balance) are written
 * in that same transaction, so a retry — concurrent, or after a crash — gets the first
 * outcome and never a second charge.
 */
export interface GenerateVideoInput {
  video: GenerateVideoRequest;
  /** The request's Idempotency-Key, fingerprinted by the HTTP layer. */
  idempotency?: IdempotencyKeyRef;
}

export async function generateVideo(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: GenerateVideoInput;
}): Promise<GenerateVideoResult> {
  const { ctx, actor } = options;
  const { video: input, idempotency } = options.input;
  const cost = calculateCost(input).total;
  // A session left to the charge must be named, or nothing would check it.
  if (actor.sessionCheckedBy === 'charge' && !actor.sessionId) throw unauthorized();
  const result = await ctx.store.chargeAndCreateVideo({
    idempotency,
    // The charge makes the route's last checks itself, in its one round trip.
    ...(actor.sessionCheckedBy === 'charge' ? { sessionId: actor.sessionId } : {}),
    requireVerifiedEmail: ctx.config.requireVerifiedEmail,
    maxQueued: ctx.config.video.maxQueuedPerUser,
    video: {
      id: newId(),
      userId: actor.userId,
      idempotencyKey: idempotency?.key ?? null,
      prompt: input.prompt,
      durationMinutes: input.durationMinutes,
      resolution: input.resolution,
      customMusic: input.customMusic,
      premiumTTS: input.premiumTTS,
      aiEnhancement: input.aiEnhancement,
      creditsUsed: cost,
      createdAt: ctx.now().toISOString(),
    },
  });
  switch (result.kind) {
    case 'session_ended':
      throw unauthorized('Invalid or expired token');
    case 'email_not_verified':
      throw emailNotVerified();
    case 'insufficient':
    case 'owes':
      throw chargeRefusal(result);
    case 'too_many_queued':
      throw new AppError(
        'TOO_MANY_QUEUED_VIDEOS',
        `You already have ${result.queued} videos waiting (the limit is ${result.limit}); ` +
          'generate more once one of them starts rendering',
        { queued: result.queued, limit: result.limit },
      );
    case 'key_reused':
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different video',
      );
    case 'replayed':
    case 'replayed_reply':
      return result;
    case 'created':
      ctx.log.info(
        { videoId: result.video.id, userId: actor.userId, cost },
        'video charged and queued',
      );
      ctx.metrics.credits('spent', result.video.creditsUsed);
      ctx.videoQueue.wake();
      return result;
  }
}
