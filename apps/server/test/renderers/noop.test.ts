import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRenderer, probeVideo } from '../../src/video/renderers/index.ts';
import { listDir, makeJob, makeTempDir, removeDir } from './helpers.ts';

describe('createRenderer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => removeDir(dir));

  it('builds renderers by name', () => {
    expect(createRenderer('ffmpeg').name).toBe('ffmpeg');
    expect(createRenderer('noop').name).toBe('noop');
  });

  it('noop completes at once with a tiny playable placeholder', async () => {
    const progress: number[] = [];
    const outputPath = join(dir, 'nested', 'noop.mp4');
    const started = performance.now();
    await createRenderer('noop').render(
      makeJob({ outputPath, durationSeconds: 600, onProgress: (p) => progress.push(p) }),
    );
    expect(performance.now() - started).toBeLessThan(500);
    expect(progress).toEqual([0, 100]);
    expect(await listDir(join(dir, 'nested'))).toEqual(['noop.mp4']);
    const probe = await probeVideo(outputPath);
    expect(probe.videoCodec).toBe('h264');
  });

  it('noop honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const outputPath = join(dir, 'noop.mp4');
    await expect(
      createRenderer('noop').render(makeJob({ outputPath, signal: controller.signal })),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(await listDir(dir)).toEqual([]);
  });
});
