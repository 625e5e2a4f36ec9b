import { calculateCost, type GenerateVideoRequest, type GenerateVideoResponse } from '@app/shared';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../../errors.ts';
import { presentVideo } from '../../presenters/video.ts';
import type { VideoRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';
import type { VideoQueue } from './queue.ts';

/**
 * Charges first, renders later: the debit and the video row are one transaction, so a video
 * never exists unpaid and a charge never exists without its video. The idempotency key is
 * stored on the video itself, so a retry after a crash finds the same charge.
 */
export async function generateVideo(options: {
  ctx: ServiceContext;
  queue: VideoQueue;
  actor: Actor;
  input: GenerateVideoRequest;
  idempotencyKey: string | undefined;
  fileToken: (v: VideoRecord) => string;
}): Promise<{ replayed: boolean; body: GenerateVideoResponse }> {
  const { ctx, input, actor } = options;
  const cost = calculateCost(input).total;
  const result = await ctx.store.chargeAndCreateVideo({
    video: {
      id: uuidv7(),
      userId: actor.userId,
      idempotencyKey: options.idempotencyKey ?? null,
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
      throw new AppError(
        'INSUFFICIENT_CREDITS',
        `This video costs ${cost} credits but your balance is ${result.balance}`,
        { required: cost, balance: result.balance, shortfall: cost - result.balance },
      );
    case 'owes':
      throw new AppError(
        'ACCOUNT_OWES_CREDITS',
        `Your account owes ${-result.balance} credits after a refund or dispute; buy credits to generate again`,
        { required: cost, balance: result.balance, shortfall: cost - result.balance },
      );
    case 'key_reused':
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different video',
      );
    case 'created':
    case 'replayed': {
      if (result.kind === 'created') {
        ctx.log.info(
          { videoId: result.video.id, userId: actor.userId, cost },
          'video charged and queued',
        );
        options.queue.wake();
      }
      return {
        replayed: result.kind === 'replayed',
        body: {
          video: presentVideo(result.video, options.fileToken),
          creditsUsed: result.video.creditsUsed,
          newBalance: result.balance,
        },
      };
    }
  }
}
