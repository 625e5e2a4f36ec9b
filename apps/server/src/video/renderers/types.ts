import { MAX_DURATION_MINUTES } from '@app/shared';

export interface RenderJob {
  videoId: string;
  prompt: string;
  /** Seconds, may be fractional; > 0 and <= 3600. */
  durationSeconds: number;
  width: number;
  height: number;
  customMusic: boolean;
  premiumTTS: boolean;
  aiEnhancement: boolean;
  /** Final MP4 location. Renderers must never leave a partial file here. */
  outputPath: string;
  /** Abort => the renderer stops promptly, removes partial files, rejects with name 'AbortError'. */
  signal: AbortSignal;
  /** 0..100, monotonic; 100 only once the file is in place. */
  onProgress: (percent: number) => void;
}

export interface Renderer {
  readonly name: string;
  render(job: RenderJob): Promise<void>;
}

/** A renderer failure whose message is safe to show to the user; diagnostics go in `cause`. */
export class RenderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RenderError';
  }
}

export const MAX_DURATION_SECONDS = MAX_DURATION_MINUTES * 60;

/** The renderers that configuration may name (VIDEO_RENDERER). */
export const RENDERER_NAMES = ['ffmpeg', 'noop'] as const;
export type RendererName = (typeof RENDERER_NAMES)[number];
