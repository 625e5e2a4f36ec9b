import { AppError } from '../../errors.ts';
import type { VideoRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { getOwnVideo } from './get-video.ts';
import type { VideoQueue } from './queue.ts';

/**
 * Cancellation resolves the video first (with its one refund), then stops the renderer; if
 * the renderer finishes in between, the store keeps whichever resolution came first.
 */
export async function cancelVideo(options: {
  ctx: ServiceContext;
  queue: VideoQueue;
  actor: Actor;
  videoId: string;
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
  options.queue.abort(video.id);
  options.queue.publish(result.video);
  return result.video;
}
