import { MAX_DURATION_SECONDS, RenderError } from './types.ts';
import type { RenderJob } from './types.ts';

const MAX_DIMENSION = 4096;

/** yuv420p needs even dimensions, and ffmpeg errors would be far less clear than these. */
export function validateJob(job: RenderJob): void {
  const { durationSeconds, width, height } = job;
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) {
    throw new RenderError('Invalid render request: duration must be greater than 0');
  }
  if (durationSeconds > MAX_DURATION_SECONDS) {
    throw new RenderError(`Invalid render request: duration exceeds ${MAX_DURATION_SECONDS} s`);
  }
  for (const [label, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 16 || value > MAX_DIMENSION || value % 2 !== 0) {
      throw new RenderError(`Invalid render request: unsupported ${label}`);
    }
  }
  if (!job.outputPath) throw new RenderError('Invalid render request: missing output path');
}
