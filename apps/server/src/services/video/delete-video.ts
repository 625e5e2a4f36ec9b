import { AppError, notFound } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';
import type { VideoRef } from './get-video.ts';
import { removeVideoFiles } from './remove-video-files.ts';

/**
 * Removes a finished video from its owner's library: the row is marked deleted (its prompt
 * cleared) and the MP4 and poster are removed. The ledger is not touched: what the video cost
 * and any refund stay in the history, pointing at a video that no longer opens.
 */
export async function deleteVideo(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: VideoRef;
}): Promise<void> {
  const { ctx, input } = options;
  const result = await ctx.store.deleteVideo({
    id: input.videoId,
    userId: options.actor.userId,
    now: ctx.now().toISOString(),
  });
  if (result.kind === 'not_found') throw notFound('Video');
  if (result.kind === 'active') {
    throw new AppError('INVALID_STATE', 'This video is still being made; cancel it first');
  }
  if (!result.filePath) return;
  await removeVideoFiles(ctx, [result.filePath], { videoId: input.videoId });
}
