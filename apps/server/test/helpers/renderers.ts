import { writeFile } from 'node:fs/promises';
import {
  createAbortError,
  RenderError,
  type Renderer,
  type RenderJob,
} from '../../src/video/renderers/index.ts';

/**
 * Renders only when the test says so, so tests can look at a video mid-flight. Its output is
 * not a real MP4: use it with output verification off.
 */
export function gatedRenderer() {
  const waiting = new Map<
    string,
    { job: RenderJob; resolve: () => void; reject: (e: Error) => void }
  >();
  const started: string[] = [];
  const renderer: Renderer = {
    name: 'gated',
    render: (job) =>
      new Promise<void>((resolve, reject) => {
        started.push(job.videoId);
        job.onProgress(10);
        waiting.set(job.videoId, { job, resolve, reject });
        job.signal.addEventListener(
          'abort',
          () => {
            waiting.delete(job.videoId);
            reject(createAbortError());
          },
          { once: true },
        );
      }),
  };
  return {
    renderer,
    started,
    isRendering: (id: string) => waiting.has(id),
    async succeed(id: string) {
      const w = waiting.get(id);
      if (!w) throw new Error(`${id} is not rendering`);
      waiting.delete(id);
      await writeFile(w.job.outputPath, 'test video bytes');
      w.resolve();
    },
    fail(id: string, message = 'The renderer broke') {
      const w = waiting.get(id);
      if (!w) throw new Error(`${id} is not rendering`);
      waiting.delete(id);
      w.reject(new RenderError(message));
    },
  };
}

export const failingRenderer = (message: string): Renderer => ({
  name: 'failing',
  render: async () => {
    throw new RenderError(message);
  },
});

export const hangingRenderer = (): Renderer => ({
  name: 'hanging',
  render: (job) =>
    new Promise<void>((_resolve, reject) => {
      job.signal.addEventListener('abort', () => reject(createAbortError()), { once: true });
    }),
});
