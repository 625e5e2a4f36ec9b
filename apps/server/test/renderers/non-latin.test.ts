import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFfmpegRenderer } from '../../src/video/renderers/ffmpeg.ts';
import { ffmpegPath, makeJob, makeTempDir, removeDir } from './helpers.ts';

const execFileAsync = promisify(execFile);
const RENDER_TIMEOUT = 120_000;

/** One decoded frame, 320x180 grayscale. */
async function grayFrame(videoPath: string, atSeconds: number): Promise<Buffer> {
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
  return stdout as Buffer;
}

/** Fraction of pixels that differ clearly between two frames of the same size. */
function differingPixels(a: Buffer, b: Buffer): number {
  let differ = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs((a[i] ?? 0) - (b[i] ?? 0)) > 48) differ++;
  return differ / a.length;
}

/** What the old renderer drew: one '?' for each grapheme its font lacked. */
const questionMarks = (text: string) =>
  Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text), ({ segment }) =>
    segment === ' ' ? ' ' : '?',
  ).join('');

const PROMPTS = {
  arabic: 'قطة صغيرة تلعب في الحديقة عند الغروب',
  hebrew: 'חתול קטן משחק בגינה בשקיעה',
  japanese: '夕暮れの庭で遊ぶ小さな猫',
  emoji: '🐱 🌅 🎬 🌊 🦊 ❤️ 👍🏽 👩‍👩‍👧',
};

describe('ffmpeg renderer, non-Latin prompts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(() => removeDir(dir));

  async function frameOf(name: string, prompt: string): Promise<Buffer> {
    const outputPath = join(dir, `${name}.mp4`);
    await createFfmpegRenderer().render(makeJob({ outputPath, prompt, durationSeconds: 4 }));
    // The first half is the prompt card, the second the options card.
    return grayFrame(outputPath, 0.5);
  }

  for (const [script, prompt] of Object.entries(PROMPTS)) {
    it(
      `draws ${script} text itself, not a row of question marks`,
      async () => {
        const real = await frameOf(script, prompt);
        const fallback = await frameOf(`${script}-question-marks`, questionMarks(prompt));
        const bright = real.filter((v) => v > 128).length / real.length;
        // Text was drawn (light on dark), and it is not what "?" per character looks like.
        expect(bright).toBeGreaterThan(0.002);
        expect(differingPixels(real, fallback)).toBeGreaterThan(0.005);
      },
      RENDER_TIMEOUT,
    );
  }
});
