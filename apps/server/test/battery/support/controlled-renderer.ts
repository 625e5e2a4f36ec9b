import { writeFile } from 'node:fs/promises';
import {
  createAbortError,
  RenderError,
  type Renderer,
  type RenderJob,
} from '../../../src/video/renderers/index.ts';

interface Pending {
  job: RenderJob;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * A renderer whose every render() waits for the test: succeed (writes the output and
 * resolves), fail (RenderError), crash (an unexpected Error), garbage (writes a file that is
 * not an MP4 and resolves). Aborts reject at once, like a real renderer. Its name is not
 * 'noop', so the worker verifies outputs unless the test turns verification off.
 */
export function controlledRenderer(name = 'controlled') {
  const pending = new Map<string, Pending>();
  const starts: string[] = [];
  const take = (id: string): Pending => {
    const p = pending.get(id);
    if (!p) throw new Error(`video ${id} is not rendering`);
    pending.delete(id);
    return p;
  };
  const renderer: Renderer = {
    name,
    render: (job) =>
      new Promise<void>((resolve, reject) => {
        if (job.signal.aborted) {
          reject(createAbortError());
          return;
        }
        starts.push(job.videoId);
        job.onProgress(5);
        const entry: Pending = { job, resolve, reject };
        pending.set(job.videoId, entry);
        job.signal.addEventListener(
          'abort',
          () => {
            if (pending.get(job.videoId) === entry) pending.delete(job.videoId);
            reject(createAbortError());
          },
          { once: true },
        );
      }),
  };
  return {
    renderer,
    /** Every render() call, in order (a video rendered again after a restart appears twice). */
    starts,
    rendering: (): string[] => [...pending.keys()],
    isRendering: (id: string) => pending.has(id),
    /** Reports render progress for a video in flight, as a renderer does while encoding. */
    progress(id: string, percent: number) {
      const p = pending.get(id);
      if (!p) throw new Error(`video ${id} is not rendering`);
      p.job.onProgress(percent);
    },
    async succeed(id: string, bytes: string | Buffer = 'rendered by the test') {
      const p = take(id);
      await writeFile(p.job.outputPath, bytes);
      p.resolve();
    },
    async garbage(id: string) {
      const p = take(id);
      await writeFile(p.job.outputPath, 'this is not an mp4 file at all');
      p.resolve();
    },
    fail(id: string, message = 'The renderer reported a failure') {
      take(id).reject(new RenderError(message));
    },
    crash(id: string) {
      take(id).reject(new Error('segfault in the renderer'));
    },
    /** Forgets every render in flight without settling it (their process is gone). */
    forgetAll() {
      pending.clear();
    },
  };
}

export type ControlledRenderer = ReturnType<typeof controlledRenderer>;
