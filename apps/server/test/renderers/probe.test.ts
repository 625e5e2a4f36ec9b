import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RenderError,
  assertPlayableMp4,
  createFfmpegRenderer,
  probeVideo,
} from '../../src/video/renderers/index.ts';
import { makeJob, makeTempDir, removeDir } from './helpers.ts';

describe('probeVideo / assertPlayableMp4', () => {
  let dir: string;
  let valid: string;
  const expected = { width: 640, height: 360, durationSeconds: 12 };

  beforeAll(async () => {
    dir = await makeTempDir();
    valid = join(dir, 'valid.mp4');
    await createFfmpegRenderer().render(makeJob({ outputPath: valid, ...expected }));
  }, 60_000);
  afterAll(async () => removeDir(dir));

  it('probes a rendered file', async () => {
    expect(await probeVideo(valid)).toEqual({
      durationSeconds: expect.closeTo(12, 1) as number,
      width: 640,
      height: 360,
      videoCodec: 'h264',
      hasAudio: false,
    });
  });

  it('accepts a correct MP4, including within 1 s of the duration', async () => {
    await expect(assertPlayableMp4(valid, expected)).resolves.toMatchObject({ width: 640 });
    await expect(
      assertPlayableMp4(valid, { ...expected, durationSeconds: 12.9 }),
    ).resolves.toBeDefined();
  });

  it('rejects a missing file', async () => {
    await expect(assertPlayableMp4(join(dir, 'nope.mp4'), expected)).rejects.toThrow(
      'Rendered video is missing',
    );
  });

  it('rejects an empty file', async () => {
    const empty = join(dir, 'empty.mp4');
    await writeFile(empty, '');
    await expect(assertPlayableMp4(empty, expected)).rejects.toBeInstanceOf(RenderError);
  });

  it('rejects garbage', async () => {
    const garbage = join(dir, 'garbage.mp4');
    await writeFile(garbage, Buffer.from('this is not a video at all '.repeat(100)));
    const error = await assertPlayableMp4(garbage, expected).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderError);
    expect((error as Error).message).not.toContain(dir);
  });

  it('rejects a truncated MP4', async () => {
    const truncated = join(dir, 'truncated.mp4');
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(valid);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 3)));
    await expect(assertPlayableMp4(truncated, expected)).rejects.toThrow(
      'Rendered video is incomplete',
    );
  });

  it('rejects the wrong resolution', async () => {
    await expect(
      assertPlayableMp4(valid, { width: 1280, height: 720, durationSeconds: 12 }),
    ).rejects.toThrow('Rendered video is 640x360, expected 1280x720');
  });

  it('rejects a duration more than 1 s off', async () => {
    await expect(assertPlayableMp4(valid, { ...expected, durationSeconds: 14 })).rejects.toThrow(
      'Rendered video has the wrong duration',
    );
  });

  it('rejects a non-MP4 container even with the right content', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { ffmpegPath } = await import('./helpers.ts');
    const mkv = join(dir, 'video.mkv');
    await promisify(execFile)(ffmpegPath, ['-v', 'error', '-i', valid, '-c', 'copy', mkv]);
    const disguised = join(dir, 'disguised.mp4');
    await copyFile(mkv, disguised);
    await expect(assertPlayableMp4(disguised, expected)).rejects.toThrow('not an MP4');
  });

  it('handles paths that look like options or URLs', async () => {
    const odd = join(dir, '-i http:odd.mp4');
    await copyFile(valid, odd);
    await expect(assertPlayableMp4(odd, expected)).resolves.toBeDefined();
  });
});
