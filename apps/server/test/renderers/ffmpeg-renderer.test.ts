import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFfmpegRenderer } from '../../src/video/renderers/ffmpeg.ts';
import { RenderError, assertPlayableMp4, probeVideo } from '../../src/video/renderers/index.ts';
import { brightPixelRatio, listDir, makeJob, makeTempDir, removeDir } from './helpers.ts';

const RENDER_TIMEOUT = 120_000;

describe('ffmpeg renderer', () => {
  let dir: string;
  let workDir: string;

  beforeEach(async () => {
    dir = await makeTempDir();
    workDir = await makeTempDir('renderer-work-');
  });
  afterEach(async () => {
    await removeDir(dir);
    await removeDir(workDir);
  });

  it(
    'renders a 1-minute 720p H.264 MP4 that shows text',
    async () => {
      const outputPath = join(dir, 'one-minute.mp4');
      await createFfmpegRenderer({ workDir }).render(makeJob({ outputPath }));

      const probe = await probeVideo(outputPath);
      expect(probe.width).toBe(1280);
      expect(probe.height).toBe(720);
      expect(probe.videoCodec).toBe('h264');
      expect(probe.durationSeconds).toBeCloseTo(60, 0);
      expect(probe.hasAudio).toBe(false);
      // Text is light on a dark background: a blank frame would have no bright pixels at all.
      expect(await brightPixelRatio(outputPath, 5)).toBeGreaterThan(0.002);
      expect(await brightPixelRatio(outputPath, 55)).toBeGreaterThan(0.002);
      expect(await listDir(dir)).toEqual(['one-minute.mp4']);
      expect(await listDir(workDir)).toEqual([]);
    },
    RENDER_TIMEOUT,
  );

  it(
    'adds an AAC music track to a 2.5-minute 1080p video when customMusic is on',
    async () => {
      const outputPath = join(dir, 'music.mp4');
      const job = makeJob({
        outputPath,
        durationSeconds: 150,
        width: 1920,
        height: 1080,
        customMusic: true,
        premiumTTS: true,
        aiEnhancement: true,
      });
      await createFfmpegRenderer({ workDir }).render(job);

      const probe = await assertPlayableMp4(outputPath, job);
      expect(probe.hasAudio).toBe(true);
      expect(probe.durationSeconds).toBeCloseTo(150, 0);
    },
    RENDER_TIMEOUT,
  );

  it(
    'renders a 10-minute 1080p video in seconds, with monotonic progress ending at 100',
    async () => {
      const outputPath = join(dir, 'ten-minutes.mp4');
      const progress: number[] = [];
      const job = makeJob({
        outputPath,
        durationSeconds: 600,
        width: 1920,
        height: 1080,
        customMusic: true,
        onProgress: (p) => progress.push(p),
      });
      const started = performance.now();
      await createFfmpegRenderer({ workDir }).render(job);
      const seconds = (performance.now() - started) / 1000;
      console.log(`10-minute 1080p render with music took ${seconds.toFixed(2)} s`);

      await assertPlayableMp4(outputPath, job);
      // Far faster than real time even on a loaded 2-core machine.
      expect(seconds).toBeLessThan(60);
      expect(progress[0]).toBe(0);
      expect(progress.at(-1)).toBe(100);
      expect(progress.length).toBeGreaterThan(2);
      for (let i = 1; i < progress.length; i++) {
        expect(progress[i]).toBeGreaterThan(progress[i - 1] ?? -1);
      }
      expect(progress.every((p) => Number.isInteger(p) && p >= 0 && p <= 100)).toBe(true);
    },
    RENDER_TIMEOUT,
  );

  it(
    'honours fractional durations exactly',
    async () => {
      const outputPath = join(dir, 'fractional.mp4');
      await createFfmpegRenderer({ workDir }).render(
        makeJob({ outputPath, durationSeconds: 7.25, customMusic: true }),
      );
      const probe = await probeVideo(outputPath);
      expect(Math.abs(probe.durationSeconds - 7.25)).toBeLessThan(0.1);
    },
    RENDER_TIMEOUT,
  );

  it(
    'renders hostile prompts without breaking the filter graph',
    async () => {
      const nasty =
        `He said "don't": a\\b\\\\c; [out] x=1,y=2 %{pts} %{eif:1:d} $(rm -rf /) \`id\` ` +
        `emoji 🎬👨‍👩‍👧 café ñ Привет 你好\n\nnew paragraph\ttab\u0000nul `;
      const prompt = nasty.repeat(20).slice(0, 2000);
      expect(prompt).toHaveLength(2000);
      // A scratch dir with filtergraph metacharacters proves file paths are escaped too.
      const oddWorkDir = join(workDir, `it's: a, [weird]; dir\\x`);
      await mkdir(oddWorkDir);
      const outputPath = join(dir, 'nasty.mp4');
      const job = makeJob({ outputPath, prompt, durationSeconds: 20, width: 1920, height: 1080 });
      await createFfmpegRenderer({ workDir: oddWorkDir }).render(job);

      await assertPlayableMp4(outputPath, job);
      expect(await brightPixelRatio(outputPath, 1)).toBeGreaterThan(0.01);
    },
    RENDER_TIMEOUT,
  );

  it(
    'aborts promptly, rejecting with AbortError and leaving no files behind',
    async () => {
      const controller = new AbortController();
      const outputPath = join(dir, 'aborted.mp4');
      let abortedAt = 0;
      const job = makeJob({
        outputPath,
        durationSeconds: 3600,
        width: 1920,
        height: 1080,
        customMusic: true,
        signal: controller.signal,
        onProgress: (p) => {
          if (p > 0 && !abortedAt) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      });

      const error = await createFfmpegRenderer({ workDir })
        .render(job)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(abortedAt).toBeGreaterThan(0);
      expect(performance.now() - abortedAt).toBeLessThan(3000);
      expect((error as Error | null)?.name).toBe('AbortError');
      expect(await listDir(dir)).toEqual([]);
      expect(await listDir(workDir)).toEqual([]);
    },
    RENDER_TIMEOUT,
  );

  it('rejects with AbortError without starting when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user cancelled'));
    const outputPath = join(dir, 'never.mp4');
    await expect(
      createFfmpegRenderer({ workDir }).render(makeJob({ outputPath, signal: controller.signal })),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(await listDir(dir)).toEqual([]);
  });

  it('turns an ffmpeg failure into a RenderError with a short message', async () => {
    const outputPath = join(dir, 'broken.mp4');
    const fakeFfmpeg = join(workDir, 'fake-ffmpeg.sh');
    await writeFile(fakeFfmpeg, '#!/bin/sh\necho "Invalid argument /secret/path" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const error = await createFfmpegRenderer({ workDir, ffmpegPath: fakeFfmpeg })
      .render(makeJob({ outputPath, durationSeconds: 5 }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RenderError);
    const { message, cause } = error as RenderError;
    expect(message).toBe('Video rendering failed');
    expect((cause as Error).message).toMatch(/exited with 1: Invalid argument \/secret\/path/);
    expect(await listDir(dir)).toEqual([]);
    expect(await listDir(workDir)).toEqual(['fake-ffmpeg.sh']);
  });

  it('reports a "successful" run that wrote nothing as a RenderError', async () => {
    const outputPath = join(dir, 'empty.mp4');
    const fakeFfmpeg = join(workDir, 'lying-ffmpeg.sh');
    await writeFile(fakeFfmpeg, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const error = await createFfmpegRenderer({ workDir, ffmpegPath: fakeFfmpeg })
      .render(makeJob({ outputPath, durationSeconds: 5 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect((error as Error).message).toBe('Video rendering failed');
    expect(await listDir(dir)).toEqual([]);
  });

  it('reports a missing ffmpeg binary as a RenderError', async () => {
    const outputPath = join(dir, 'nobinary.mp4');
    const renderer = createFfmpegRenderer({ workDir, ffmpegPath: join(workDir, 'no-ffmpeg') });
    await expect(renderer.render(makeJob({ outputPath }))).rejects.toBeInstanceOf(RenderError);
    expect(await listDir(dir)).toEqual([]);
  });

  it.each([
    { durationSeconds: 0 },
    { durationSeconds: -1 },
    { durationSeconds: 3601 },
    { durationSeconds: Number.NaN },
    { width: 1279 },
    { height: 0 },
  ])('rejects invalid job %o with a RenderError', async (override) => {
    const outputPath = join(dir, 'invalid.mp4');
    await expect(
      createFfmpegRenderer({ workDir }).render(makeJob({ outputPath, ...override })),
    ).rejects.toBeInstanceOf(RenderError);
  });
});
