import { notFound } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { getOwnVideo } from './get-video.ts';

/** Only a completed video of the caller has a file; anything else looks like no file at all. */
export async function getVideoFile(options: {
  ctx: ServiceContext;
  actor: Actor;
  videoId: string;
}): Promise<{ videoId: string; path: string }> {
  const video = await getOwnVideo(options);
  if (video.status !== 'completed' || !video.filePath) throw notFound('Video file');
  return { videoId: video.id, path: video.filePath };
}
