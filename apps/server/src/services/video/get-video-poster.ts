import { notFound } from '../../errors.ts';
import { posterPathOf } from '../../video/poster.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { getVideoFile } from './get-video-file.ts';

/** The poster of a completed video of the caller (the file may not exist: the route 404s). */
export async function getVideoPoster(options: {
  ctx: ServiceContext;
  actor: Actor;
  videoId: string;
}): Promise<{ videoId: string; path: string }> {
  const file = await getVideoFile(options).catch(() => {
    throw notFound('Poster');
  });
  return { videoId: file.videoId, path: posterPathOf(file.path) };
}
