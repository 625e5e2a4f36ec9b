import { createFfmpegRenderer } from './ffmpeg.ts';
import { createNoopRenderer } from './noop.ts';
import type { FfmpegRendererOptions } from './ffmpeg.ts';
import type { Renderer, RendererName } from './types.ts';

export { RenderError, MAX_DURATION_SECONDS, RENDERER_NAMES } from './types.ts';
export type { RendererName } from './types.ts';
export type { RenderJob, Renderer } from './types.ts';
export { createAbortError, isAbortError } from './abort.ts';
export { createFfmpegRenderer } from './ffmpeg.ts';
export type { FfmpegRendererOptions } from './ffmpeg.ts';
export { createNoopRenderer } from './noop.ts';
export { assertPlayableMp4, probeVideo } from './probe.ts';
export type { VideoProbe } from './probe.ts';

export type RendererOptions = FfmpegRendererOptions;

export function createRenderer(name: RendererName, opts: RendererOptions = {}): Renderer {
  switch (name) {
    case 'ffmpeg':
      return createFfmpegRenderer(opts);
    case 'noop':
      return createNoopRenderer();
    default: {
      const unknown: never = name;
      throw new Error(`Unknown renderer: ${String(unknown)}`);
    }
  }
}
