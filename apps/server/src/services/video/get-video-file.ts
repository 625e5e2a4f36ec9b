import { notFound } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { getOwnVideo, type VideoRef } from './get-video.ts';

/** Only a completed video of the caller has a file; anything else looks like no file at all. */
export async function getVideoFile(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: VideoRef;
}): Promise<{ videoId: string; key: string }> {
  const video = await getOwnVideo(options);
  if (video.status !== 'completed' || !video.filePath) throw notFound('Video file');
  return { videoId: video.id, key: video.filePath };
}
