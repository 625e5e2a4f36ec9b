import type { Config } from '../../config.ts';
import { LocalDirectoryStorage } from './local-directory.ts';

/** The configured video storage: a directory (VIDEO_DIR), shared when instances share it. */
export function createVideoStorage(config: Pick<Config, 'videoDir'>): LocalDirectoryStorage {
  // Records keep bare keys (`<video>-<attempt>.mp4`), so the directory can move or be mounted
  // elsewhere on another instance; absolute paths of older records still resolve inside it.
  return new LocalDirectoryStorage({ dir: config.videoDir });
}
