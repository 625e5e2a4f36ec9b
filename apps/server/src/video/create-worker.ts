import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Store } from '../store/types.ts';
import { assertPlayableMp4, createRenderer, type Renderer } from './renderers/index.ts';
import { defaultFfmpegPath } from './renderers/binaries.ts';
import { extractPoster } from './poster.ts';
import { RESOLUTION_SIZE } from './resolution.ts';
import { createVideoStorage } from './storage/create-video-storage.ts';
import type { VideoStorage } from './storage/video-storage.ts';
import { VideoWorker } from './worker.ts';

/** The configured worker; tests pass their own renderer (failing, hanging, slow). */
export function createVideoWorker(options: {
  config: Config;
  store: Store;
  log: Logger;
  renderer?: Renderer;
  /** Where finished files go; the configured one (VIDEO_DIR) by default. */
  storage?: VideoStorage;
  /** Probe every output before completing it; on by default for real renderers. */
  verifyOutput?: boolean;
  /** Extract a poster frame of every output; on by default for real renderers. */
  posters?: boolean;
}): VideoWorker {
  const { config } = options;
  const renderer = options.renderer ?? createRenderer(config.video.renderer);
  return new VideoWorker({
    store: options.store,
    renderer,
    log: options.log,
    storage: options.storage ?? createVideoStorage(config),
    concurrency: config.video.concurrency,
    maxRunningPerUser: config.video.maxRunningPerUser,
    renderTimeoutMs: config.video.renderTimeoutMs,
    leaseMs: config.video.leaseMs,
    maxAttempts: config.video.maxAttempts,
    // Unique per process, readable in the database by an operator: host, pid, random part.
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    makePoster: !(options.posters ?? renderer.name !== 'noop')
      ? undefined
      : async (file, poster, video) => {
          await extractPoster({
            ffmpegPath: defaultFfmpegPath(),
            videoPath: file,
            posterPath: poster,
            durationSeconds: video.durationMinutes * 60,
          });
        },
    // A renderer that returns garbage must not produce a "completed" video.
    verifyOutput: !(options.verifyOutput ?? renderer.name !== 'noop')
      ? undefined
      : async (file, video) => {
          await assertPlayableMp4(file, {
            ...RESOLUTION_SIZE[video.resolution],
            durationSeconds: video.durationMinutes * 60,
          });
        },
  });
}
