import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { isAbortError, throwIfAborted } from './abort.ts';
import { defaultFfmpegPath, defaultFonts } from './binaries.ts';
import { buildFilterGraph } from './filtergraph.ts';
import { buildCards } from './layout.ts';
import { renderCardPng } from './card-image.ts';
import { encodeWav, synthesizeLoop } from './music.ts';
import { createProgressParser, monotonicProgress } from './progress.ts';
import { runProcess } from './run-ffmpeg.ts';
import { fitCards, planTimeline } from './timeline.ts';
import { validateJob } from './validate.ts';
import { RenderError } from './types.ts';
import type { RenderJob, Renderer } from './types.ts';

export interface FfmpegRendererOptions {
  /** Defaults to the binary shipped by @ffmpeg-installer/ffmpeg. */
  ffmpegPath?: string;
  /** Where per-job scratch directories go; defaults to the OS temp dir. */
  workDir?: string;
  /** Font files (TTF/OTF) for card text; defaults to the bundled Noto fonts (binaries.ts). */
  fontFiles?: string[];
}

const FAILURE_MESSAGE = 'Video rendering failed';
// Keyframe every minute at 1 fps: seeking decodes at most 60 near-empty frames, while keyframes,
// the only expensive frames on static cards, stay rare.
const KEYFRAME_INTERVAL = 60;

/**
 * Renders title cards (the prompt, then the chosen options) as a real H.264/AAC MP4. Each card is
 * drawn once and repeated at ~1 fps, so a 10-minute 1080p video takes seconds.
 * Audio: with customMusic, a synthesised looping tune as AAC; otherwise no audio track at all.
 */
export function createFfmpegRenderer(opts: FfmpegRendererOptions = {}): Renderer {
  return { name: 'ffmpeg', render: (job) => render(job, opts) };
}

async function render(job: RenderJob, opts: FfmpegRendererOptions): Promise<void> {
  throwIfAborted(job.signal);
  validateJob(job);
  const ffmpeg = opts.ffmpegPath ?? defaultFfmpegPath();
  const fonts = opts.fontFiles ?? defaultFonts();
  const report = monotonicProgress(job.onProgress);
  report(0);

  const outputPath = resolve(job.outputPath);
  // Same directory as the target so the final rename is atomic; dot-prefixed so listings skip it.
  const tempPath = join(dirname(outputPath), `.${basename(outputPath)}.${randomUUID()}.partial`);
  let work: string | null = null;
  try {
    await mkdir(dirname(outputPath), { recursive: true });
    const workRoot = resolve(opts.workDir ?? tmpdir());
    await mkdir(workRoot, { recursive: true });
    work = await mkdtemp(join(workRoot, 'render-'));
    await encode({ job, ffmpeg, fonts, work, tempPath, report });
    throwIfAborted(job.signal);
    await rename(tempPath, outputPath);
  } catch (error) {
    await rm(tempPath, { force: true });
    // Anything unexpected (disk full, a missing temp file) still reaches users as a safe message.
    if (error instanceof RenderError || isAbortError(error)) throw error;
    throw new RenderError(FAILURE_MESSAGE, { cause: error });
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
  }
  report(100);
}

async function encode(p: {
  job: RenderJob;
  ffmpeg: string;
  fonts: string[];
  work: string;
  tempPath: string;
  report: (percent: number) => void;
}): Promise<void> {
  const { job, ffmpeg, work } = p;
  const allCards = buildCards(job);
  const timeline = planTimeline(job.durationSeconds, allCards.length);
  const cards = fitCards(allCards, timeline.framesPerCard.length);
  const cardPath = (card: number) => join(work, `card${card}.png`);
  // One card at a time: each holds a full-size bitmap while it is encoded to PNG.
  for (const [c, card] of cards.entries()) {
    throwIfAborted(job.signal);
    const png = await renderCardPng(card, job, p.fonts);
    await writeFile(cardPath(c), png);
  }
  const graphPath = join(work, 'graph.txt');
  const graph = buildFilterGraph({
    cardCount: cards.length,
    framesPerCard: timeline.framesPerCard,
    frameRate: timeline.frameRate,
  });
  await writeFile(graphPath, graph);
  const musicPath = job.customMusic ? await encodeMusicLoop(ffmpeg, work, job.signal) : null;

  const totalUs = job.durationSeconds * 1e6;
  await runProcess({
    binary: ffmpeg,
    args: encodeArgs({
      cardPaths: cards.map((_, c) => cardPath(c)),
      frameRate: timeline.frameRate,
      graphPath,
      musicPath,
      durationSeconds: job.durationSeconds,
      tempPath: p.tempPath,
    }),
    signal: job.signal,
    // 99 until the file is renamed into place: 100 promises a downloadable file.
    onStdout: createProgressParser((us) => p.report(Math.min(99, (us / totalUs) * 100))),
    failureMessage: FAILURE_MESSAGE,
  });
}

/**
 * Encodes one loop of music; the main pass then stream-copies it in a loop. Encoding the whole
 * soundtrack with ffmpeg's AAC encoder would cost more than the video itself.
 */
async function encodeMusicLoop(ffmpeg: string, work: string, signal: AbortSignal) {
  const wavPath = join(work, 'music.wav');
  const aacPath = join(work, 'music.aac');
  await writeFile(wavPath, encodeWav(synthesizeLoop()));
  await runProcess({
    binary: ffmpeg,
    args: ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', wavPath].concat([
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      '-f',
      'adts',
      aacPath,
    ]),
    signal,
    failureMessage: FAILURE_MESSAGE,
  });
  return aacPath;
}

function encodeArgs(p: {
  cardPaths: string[];
  frameRate: string;
  graphPath: string;
  musicPath: string | null;
  durationSeconds: number;
  tempPath: string;
}): string[] {
  const audioIn = p.musicPath ? ['-stream_loop', '-1', '-i', p.musicPath] : [];
  const audioOut = p.musicPath ? ['-map', `${p.cardPaths.length}:a`, '-c:a', 'copy'] : [];
  // Paths are plain arguments, never part of the filtergraph, so they need no escaping.
  const cardsIn = p.cardPaths.flatMap((path) => ['-framerate', p.frameRate, '-i', path]);
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...cardsIn,
    ...['-filter_complex_script', p.graphPath],
    ...audioIn,
    ...['-map', '[vout]', ...audioOut],
    // -tune stillimage was tried: it made encoding ~6x slower for no visible gain on flat cards.
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(KEYFRAME_INTERVAL)],
    ...['-pix_fmt', 'yuv420p', '-t', p.durationSeconds.toFixed(3)],
    ...['-movflags', '+faststart', '-progress', 'pipe:1', '-nostats'],
    ...['-f', 'mp4', p.tempPath],
  ];
}
