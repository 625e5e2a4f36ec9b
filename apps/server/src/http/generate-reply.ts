import type { Response } from 'express';
import type { GenerateVideoResponse } from '@app/shared';
import { errorResponse } from '../errors.ts';
import { presentVideo } from '../presenters/video.ts';
import {
  chargeRefusal,
  type ChargeOutcome,
  type GenerateVideoResult,
} from '../services/video/generate-video.ts';
import type { VideoRecord } from '../store/types.ts';
import { sendReplay, sendReply, type Reply } from './idempotency.ts';

/**
 * The HTTP form of a charge's outcome: 202 with the video and the new balance, or the 402
 * refusal in the one error shape. The first answer and every replay are encoded here from
 * the same outcome, so a replay is the same bytes (the video as it was when created: queued,
 * so its links carry no token).
 */
export function encodeChargeOutcome(
  outcome: ChargeOutcome,
  fileToken: (v: VideoRecord) => string,
): Reply {
  if (outcome.kind !== 'created') {
    const { status, body } = errorResponse(chargeRefusal(outcome));
    return { status, body: JSON.stringify(body) };
  }
  const body: GenerateVideoResponse = {
    video: presentVideo(outcome.video, fileToken),
    creditsUsed: outcome.video.creditsUsed,
    newBalance: outcome.balance,
  };
  return { status: 202, body: JSON.stringify(body) };
}

export function sendGenerateResult(
  res: Response,
  result: GenerateVideoResult,
  fileToken: (v: VideoRecord) => string,
): void {
  switch (result.kind) {
    case 'created':
      sendReply(res, encodeChargeOutcome(result, fileToken));
      return;
    case 'replayed':
      sendReplay(res, encodeChargeOutcome(result.outcome, fileToken));
      return;
    case 'replayed_reply':
      sendReplay(res, result);
  }
}
