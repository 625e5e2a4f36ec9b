import { AppError } from '../../errors.ts';
import type { VideoRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { getOwnVideo, type VideoRef } from './get-video.ts';

/**
 * Cancellation resolves the video first (with its one refund), then stops the renderer; if
 * the renderer finishes in between, the store keeps whichever resolution came first.
 */
export async function cancelVideo(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: VideoRef;
}): Promise<VideoRecord> {
  const { ctx } = options;
  const video = await getOwnVideo(options);
  if (video.status !== 'queued' && video.status !== 'processing') {
    throw new AppError('INVALID_STATE', `The video is already ${video.status}`);
  }
  const result = await ctx.store.finishVideo({
    id: video.id,
    finish: { status: 'canceled', error: 'Canceled by the user' },
    now: ctx.now().toISOString(),
  });
  if (!result.changed) {
    throw new AppError('INVALID_STATE', `The video is already ${result.video.status}`);
  }
  ctx.metrics.credits('refunded', result.video.creditsRefunded);
  ctx.videoQueue.abort(video.id);
  ctx.videoQueue.publish(result.video);
  return result.video;
}
