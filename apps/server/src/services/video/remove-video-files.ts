import { InvalidVideoKeyError } from '../../video/storage/video-storage.ts';
import type { CoreContext, ServiceContext } from '../context.ts';

/**
 * Removes rendered files (each video's MP4 and poster) through the storage. A key that does
 * not name a file inside the storage is skipped: a value from the database is never trusted
 * to point anywhere else. Failures are logged, not thrown: the row is already gone from the
 * user's view and a leftover file harms nobody but the disk.
 */
export async function removeVideoFiles(
  ctx: CoreContext & Pick<ServiceContext, 'videoStorage'>,
  keys: readonly string[],
  about: Record<string, string>,
): Promise<void> {
  const storage = ctx.videoStorage;
  for (const key of keys) {
    try {
      await Promise.all([storage.remove(key), storage.remove(storage.posterKeyOf(key))]);
    } catch (err) {
      if (err instanceof InvalidVideoKeyError) {
        ctx.log.warn({ ...about }, 'a video file key outside the video storage was not removed');
      } else {
        ctx.log.error({ err, ...about }, 'could not remove a video file');
      }
    }
  }
}
