import { calculateCost, type GenerateVideoRequest, type GenerateVideoResponse } from '@app/shared';
import { newId } from '../../ids.ts';
import { AppError, errorResponse } from '../../errors.ts';
import { presentVideo } from '../../presenters/video.ts';
import type { ChargeOutcome, IdempotencyRequest, VideoRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';
import type { VideoQueue } from './queue.ts';

function refusal(outcome: { kind: 'insufficient' | 'owes'; balance: number }, cost: number) {
  const details = { required: cost, balance: outcome.balance, shortfall: cost - outcome.balance };
  return outcome.kind === 'owes'
    ? new AppError(
        'ACCOUNT_OWES_CREDITS',
        `Your account owes ${-outcome.balance} credits after a refund or dispute; buy credits to generate again`,
        details,
      )
    : new AppError(
        'INSUFFICIENT_CREDITS',
        `This video costs ${cost} credits but your balance is ${outcome.balance}`,
        details,
      );
}

/**
 * Charges first, renders later: the debit and the video row are one transaction, so a video
 * never exists unpaid and a charge never exists without its video. With an Idempotency-Key
 * the key's record and its reply (202, or the 402 refusal) are written in that same
 * transaction, so a retry — concurrent, or after a crash — gets the first reply and never a
 * second charge.
 */
export async function generateVideo(options: {
  ctx: ServiceContext;
  queue: VideoQueue;
  actor: Actor;
  input: GenerateVideoRequest;
  idempotency: IdempotencyRequest | undefined;
  fileToken: (v: VideoRecord) => string;
}): Promise<{ replayed: boolean; status: number; body: string }> {
  const { ctx, input, actor, idempotency } = options;
  const cost = calculateCost(input).total;
  const respond = (outcome: ChargeOutcome) => {
    if (outcome.kind !== 'created') {
      const { status, body } = errorResponse(refusal(outcome, cost));
      return { status, body: JSON.stringify(body) };
    }
    const body: GenerateVideoResponse = {
      video: presentVideo(outcome.video, options.fileToken),
      creditsUsed: outcome.video.creditsUsed,
      newBalance: outcome.balance,
    };
    return { status: 202, body: JSON.stringify(body) };
  };
  const result = await ctx.store.chargeAndCreateVideo({
    idempotency: idempotency && { ...idempotency, respond },
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
    case 'insufficient':
    case 'owes':
      throw refusal(result, cost);
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
    case 'stored_response':
      return { replayed: true, status: result.status, body: result.body };
    case 'created':
      ctx.log.info(
        { videoId: result.video.id, userId: actor.userId, cost },
        'video charged and queued',
      );
      ctx.metrics.credits('spent', result.video.creditsUsed);
      options.queue.wake();
      return { replayed: false, ...respond(result) };
  }
}
