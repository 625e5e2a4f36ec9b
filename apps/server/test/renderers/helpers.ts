import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RenderJob } from '../../src/video/renderers/types.ts';

const require = createRequire(import.meta.url);
export const ffmpegPath = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const execFileAsync = promisify(execFile);

export async function makeTempDir(prefix = 'renderer-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

export function makeJob(overrides: Partial<RenderJob> & Pick<RenderJob, 'outputPath'>): RenderJob {
  return {
    videoId: 'vid_test',
    prompt: 'A red fox running through fresh snow at dawn',
    durationSeconds: 60,
    width: 1280,
    height: 720,
    customMusic: false,
    premiumTTS: false,
    aiEnhancement: false,
    signal: new AbortController().signal,
    onProgress: () => {},
    ...overrides,
  };
}

/** Fraction of pixels noticeably brighter than the dark card background, i.e. covered by text. */
export async function brightPixelRatio(videoPath: string, atSeconds: number): Promise<number> {
  const { stdout } = await execFileAsync(
    ffmpegPath,
    ['-v', 'error', '-ss', String(atSeconds), '-i', videoPath, '-frames:v', '1'].concat([
      '-vf',
      'scale=320:180',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      'pipe:1',
    ]),
    { encoding: 'buffer', maxBuffer: 1 << 20 },
  );
  const pixels = stdout as Buffer;
  let bright = 0;
  for (const value of pixels) if (value > 128) bright++;
  return bright / Math.max(1, pixels.length);
}
