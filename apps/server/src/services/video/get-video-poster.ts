import { notFound } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';
import type { VideoRef } from './get-video.ts';
import { getVideoFile } from './get-video-file.ts';

/** The poster of a completed video of the caller (the file may not exist: the route 404s). */
export async function getVideoPoster(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: VideoRef;
}): Promise<{ videoId: string; key: string }> {
  const file = await getVideoFile(options).catch(() => {
    throw notFound('Poster');
  });
  return { videoId: file.videoId, key: options.ctx.videoStorage.posterKeyOf(file.key) };
}
