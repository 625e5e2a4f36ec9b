import { notFound } from '../../errors.ts';
import type { VideoRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';

/** Someone else's video is indistinguishable from a missing one. */
export async function getOwnVideo(options: {
  ctx: ServiceContext;
  actor: Actor;
  videoId: string;
}): Promise<VideoRecord> {
  const video = await options.ctx.store.findVideo(options.videoId);
  if (!video || video.userId !== options.actor.userId) throw notFound('Video');
  return video;
}
