import { rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError, notFound } from '../../errors.ts';
import { posterPathOf } from '../../video/poster.ts';
import type { Actor, ServiceContext } from '../context.ts';

/**
 * Removes a finished video from its owner's library: the row is marked deleted (its prompt
 * cleared) and the MP4 and poster are removed. The ledger is not touched: what the video cost
 * and any refund stay in the history, pointing at a video that no longer opens.
 */
export async function deleteVideo(options: {
  ctx: ServiceContext;
  actor: Actor;
  videoId: string;
}): Promise<void> {
  const { ctx } = options;
  const result = await ctx.store.deleteVideo({
    id: options.videoId,
    userId: options.actor.userId,
    now: ctx.now().toISOString(),
  });
  if (result.kind === 'not_found') throw notFound('Video');
  if (result.kind === 'active') {
    throw new AppError('INVALID_STATE', 'This video is still being made; cancel it first');
  }
  if (!result.filePath) return;
  const videoDir = path.resolve(ctx.config.videoDir);
  const file = path.resolve(result.filePath);
  // A path from the database is only trusted inside the video directory.
  if (!file.startsWith(videoDir + path.sep)) return;
  for (const target of [file, posterPathOf(file)]) {
    await rm(target, { force: true }).catch((err: unknown) => {
      ctx.log.error({ err, videoId: options.videoId }, 'could not remove a deleted video file');
    });
  }
}
