import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { throwIfAborted } from './abort.ts';
import { PLACEHOLDER_MP4 } from './placeholder-mp4.ts';
import { monotonicProgress } from './progress.ts';
import type { RenderJob, Renderer } from './types.ts';

/**
 * For benchmarks and tests only: finishes at once and writes a tiny 1-second placeholder MP4
 * regardless of the requested resolution and duration, so download routes have something to
 * serve without spending CPU on encoding. Its output deliberately fails assertPlayableMp4 for
 * any real job, so do not validate noop renders.
 */
export function createNoopRenderer(): Renderer {
  return {
    name: 'noop',
    async render(job: RenderJob): Promise<void> {
      throwIfAborted(job.signal);
      const report = monotonicProgress(job.onProgress);
      report(0);
      const outputPath = resolve(job.outputPath);
      await mkdir(dirname(outputPath), { recursive: true });
      const tempPath = join(
        dirname(outputPath),
        `.${basename(outputPath)}.${randomUUID()}.partial`,
      );
      try {
        await writeFile(tempPath, PLACEHOLDER_MP4);
        throwIfAborted(job.signal);
        await rename(tempPath, outputPath);
      } catch (error) {
        await rm(tempPath, { force: true });
        throw error;
      }
      report(100);
    },
  };
}
