import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defaultFfprobePath } from './binaries.ts';
import { checkMp4Structure } from './mp4-structure.ts';
import { runProcess } from './run-ffmpeg.ts';
import { RenderError } from './types.ts';

export interface VideoProbe {
  durationSeconds: number;
  width: number;
  height: number;
  videoCodec: string;
  hasAudio: boolean;
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string };
  streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number }>;
}

const PROBE_TIMEOUT_MS = 30_000;
const DURATION_TOLERANCE_SECONDS = 1;

// The file: prefix stops ffprobe from reading a path like 'http:x' or '-x' as a URL or option.
async function ffprobe(path: string, ffprobePath?: string): Promise<FfprobeJson> {
  const { stdout } = await runProcess({
    binary: ffprobePath ?? defaultFfprobePath(),
    args: [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      `file:${resolve(path)}`,
    ],
    signal: new AbortController().signal,
    timeoutMs: PROBE_TIMEOUT_MS,
    failureMessage: 'Rendered video is not a readable video file',
  });
  try {
    return JSON.parse(stdout) as FfprobeJson;
  } catch (error) {
    throw new RenderError('Rendered video is not a readable video file', { cause: error });
  }
}

function summarize(json: FfprobeJson): VideoProbe {
  const streams = json.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  if (!video) throw new RenderError('Rendered video has no video stream');
  return {
    durationSeconds: Number(json.format?.duration ?? NaN),
    width: video.width ?? 0,
    height: video.height ?? 0,
    videoCodec: video.codec_name ?? 'unknown',
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
  };
}

export async function probeVideo(path: string, ffprobePath?: string): Promise<VideoProbe> {
  return summarize(await ffprobe(path, ffprobePath));
}

/**
 * Guards against renderers (including third-party providers) that report success but produce
 * garbage. Throws RenderError when the file is missing, not an MP4, the wrong size, or more than
 * a second off the requested duration.
 */
export async function assertPlayableMp4(
  path: string,
  expected: { width: number; height: number; durationSeconds: number },
  ffprobePath?: string,
): Promise<VideoProbe> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile() || info.size === 0) throw new RenderError('Rendered video is missing');
  const problem = await checkMp4Structure(path);
  if (problem === 'not-mp4') throw new RenderError('Rendered video is not an MP4 file');
  if (problem === 'truncated') throw new RenderError('Rendered video is incomplete');
  const json = await ffprobe(path, ffprobePath);
  // ffprobe names the whole ISO-BMFF family "mov,mp4,m4a,3gp,3g2,mj2".
  if (!(json.format?.format_name ?? '').split(',').includes('mp4')) {
    throw new RenderError('Rendered video is not an MP4 file');
  }
  const probe = summarize(json);
  if (probe.width !== expected.width || probe.height !== expected.height) {
    throw new RenderError(
      `Rendered video is ${probe.width}x${probe.height}, expected ${expected.width}x${expected.height}`,
    );
  }
  const drift = Math.abs(probe.durationSeconds - expected.durationSeconds);
  if (!Number.isFinite(drift) || drift > DURATION_TOLERANCE_SECONDS) {
    throw new RenderError('Rendered video has the wrong duration');
  }
  return probe;
}
