import { notFound } from '../../errors.ts';
import type { VideoRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';

/** The video a request names (a path parameter). */
export interface VideoRef {
  videoId: string;
}

/** Someone else's video, like one deleted from the library, is indistinguishable from a missing one. */
export async function getOwnVideo(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: VideoRef;
}): Promise<VideoRecord> {
  const video = await options.ctx.store.findVideo({ id: options.input.videoId });
  if (!video || video.userId !== options.actor.userId || video.deletedAt) throw notFound('Video');
  return video;
}
