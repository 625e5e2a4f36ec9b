import { rename, rm } from 'node:fs/promises';
import { runProcess } from './renderers/run-ffmpeg.ts';

const POSTER_WIDTH = 480;
const POSTER_TIMEOUT_MS = 30_000;

/**
 * One JPEG frame of a finished render, a second in (the title card) or half-way through a
 * shorter video. Written to a temporary name first: a reader never sees half a file.
 */
export async function extractPoster(options: {
  ffmpegPath: string;
  videoPath: string;
  /** Where the JPEG goes (the storage's staged path for the poster's key). */
  posterPath: string;
  durationSeconds: number;
  signal?: AbortSignal;
}): Promise<string> {
  const target = options.posterPath;
  const temp = `${target}.tmp.jpg`;
  const at = Math.min(1, options.durationSeconds / 2);
  try {
    await runProcess({
      binary: options.ffmpegPath,
      args: [
        '-nostdin',
        '-v',
        'error',
        '-y',
        '-ss',
        at.toFixed(3),
        '-i',
        options.videoPath,
        '-frames:v',
        '1',
        '-vf',
        `scale=${POSTER_WIDTH}:-2`,
        '-q:v',
        '4',
        temp,
      ],
      signal: options.signal ?? new AbortController().signal,
      timeoutMs: POSTER_TIMEOUT_MS,
      failureMessage: 'The poster frame could not be extracted',
    });
    await rename(temp, target);
    return target;
  } finally {
    await rm(temp, { force: true });
  }
}
