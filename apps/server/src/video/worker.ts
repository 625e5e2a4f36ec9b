import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import type { RenderListener, VideoQueue } from '../services/video/queue.ts';
import type { Store, VideoRecord } from '../store/types.ts';
import { isAbortError, RenderError, type Renderer } from './renderers/index.ts';
import { progressWriter } from './progress-writer.ts';
import { RESOLUTION_SIZE } from './resolution.ts';

export interface VideoWorkerOptions {
  store: Store;
  renderer: Renderer;
  log: Logger;
  videoDir: string;
  concurrency: number;
  /** Renders of one user at once; the other slots stay free for other users. */
  maxRunningPerUser: number;
  renderTimeoutMs: number;
  /** Checks the renderer's output before a video counts as completed. */
  verifyOutput?: (file: string, video: VideoRecord) => Promise<void>;
  now?: () => Date;
  /** A video that crashed the server this many times is failed and refunded, not retried. */
  maxAttempts?: number;
}

const PROGRESS_WRITE_INTERVAL_MS = 500;
/** Backoff between attempts to record a result while the database is locked, full or read-only. */
const RESOLVE_RETRY_MS = [100, 250, 500, 1000, 2000];
const RESOLVE_GIVE_UP_MS = 60_000;

/** The abort reason of a shutdown: the video stays processing and is rendered again later. */
class ShutdownInterrupt extends Error {
  constructor() {
    super('the server is shutting down');
    this.name = 'AbortError';
  }
}

/** Store failures that pass by themselves (the store maps them to 503 and 507). */
const isTransient = (err: unknown) =>
  err instanceof AppError && (err.code === 'SERVICE_UNAVAILABLE' || err.code === 'STORAGE_FULL');

/**
 * Runs queued videos in the server process. State lives in the database, so a restart
 * resumes where the last process stopped: whatever it was rendering is rendered again, and
 * every job ends completed or failed with its one refund.
 */
export class VideoWorker implements VideoQueue {
  private readonly events = new EventEmitter();
  private readonly running = new Map<string, AbortController>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private started = false;
  private draining: Promise<void> | undefined;
  private readonly renderListeners: RenderListener[] = [];
  private readonly now: () => Date;

  constructor(private readonly o: VideoWorkerOptions) {
    this.now = o.now ?? (() => new Date());
    this.events.setMaxListeners(0);
    mkdirSync(o.videoDir, { recursive: true });
  }

  /** Puts videos a dead process left behind back in the queue, then starts working. */
  async start(): Promise<void> {
    const unfinished = await this.o.store.listVideosInStatus(['processing']);
    for (const video of unfinished) {
      if (video.attempts >= (this.o.maxAttempts ?? 3)) {
        await this.resolve(video.id, { status: 'failed', error: 'Rendering failed repeatedly' });
      } else {
        await this.o.store.requeueVideo(video.id, this.now().toISOString());
      }
    }
    if (unfinished.length > 0)
      this.o.log.warn({ count: unfinished.length }, 'resuming interrupted videos');
    this.started = true;
    this.wake();
  }

  /** Started and not stopped: claiming and rendering (readiness). */
  isRunning(): boolean {
    return this.started && !this.stopped;
  }

  observeRenders(listener: RenderListener): void {
    this.renderListeners.push(listener);
  }

  /**
   * Graceful shutdown: claims nothing more and lets running renders finish for up to
   * `graceMs`. Renders still running then are stopped without a result: their videos stay
   * `processing`, and the next start() puts them back in the queue (rendered again, never
   * charged again). Returns how many were left that way.
   */
  async drain(graceMs: number): Promise<{ interrupted: number }> {
    this.stopped = true;
    await this.draining;
    const all = Promise.allSettled([...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    const graceOver = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    const interrupted = graceOver ? this.running.size : 0;
    if (graceOver) {
      for (const controller of this.running.values()) controller.abort(new ShutdownInterrupt());
      await all;
    }
    return { interrupted };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const controller of this.running.values()) controller.abort();
    await this.draining;
    await Promise.allSettled([...this.inFlight]);
  }

  wake(): void {
    if (this.stopped) return;
    this.draining = this.fill();
  }

  abort(videoId: string): void {
    this.running.get(videoId)?.abort();
  }

  isRendering(videoId: string): boolean {
    return this.running.has(videoId);
  }

  subscribe(videoId: string, listener: (video: VideoRecord) => void): () => void {
    this.events.on(videoId, listener);
    return () => this.events.off(videoId, listener);
  }

  publish(video: VideoRecord): void {
    this.events.emit(video.id, video);
  }

  get activeCount(): number {
    return this.running.size;
  }

  private async fill(): Promise<void> {
    while (!this.stopped && this.running.size < this.o.concurrency) {
      let video: VideoRecord | null;
      try {
        video = await this.o.store.claimNextVideo(this.now().toISOString(), {
          maxRunningPerUser: this.o.maxRunningPerUser,
        });
      } catch (err) {
        this.o.log.error({ err }, 'could not claim a video');
        return;
      }
      if (!video) return;
      const controller = new AbortController();
      this.running.set(video.id, controller);
      this.publish(video);
      const job = this.run(video, controller)
        .catch((err: unknown) => this.o.log.error({ err, videoId: video.id }, 'video job crashed'))
        .finally(() => {
          this.running.delete(video.id);
          this.inFlight.delete(job);
          this.wake();
        });
      this.inFlight.add(job);
    }
  }

  private async run(video: VideoRecord, controller: AbortController): Promise<void> {
    const startedAt = performance.now();
    const finished = (outcome: Parameters<RenderListener>[0]['outcome'], refunded = 0) => {
      const seconds = (performance.now() - startedAt) / 1000;
      for (const l of this.renderListeners) l({ outcome, seconds, creditsRefunded: refunded });
    };
    const outputPath = path.join(this.o.videoDir, `${video.id}.mp4`);
    const size = RESOLUTION_SIZE[video.resolution];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.o.renderTimeoutMs);
    const progress = progressWriter({
      intervalMs: PROGRESS_WRITE_INTERVAL_MS,
      write: (percent) => {
        void this.o.store
          .updateVideoProgress(video.id, percent, this.now().toISOString())
          .then(() => this.o.store.findVideo(video.id))
          .then((v) => v && v.status === 'processing' && this.publish(v))
          .catch(() => undefined);
      },
    });
    try {
      await this.o.renderer.render({
        videoId: video.id,
        prompt: video.prompt,
        durationSeconds: video.durationMinutes * 60,
        width: size.width,
        height: size.height,
        customMusic: video.customMusic,
        premiumTTS: video.premiumTTS,
        aiEnhancement: video.aiEnhancement,
        outputPath,
        signal: controller.signal,
        // 100 is written by completion itself, with the file.
        onProgress: (percent) => percent < 100 && progress.report(percent),
      });
      progress.stop();
      if (controller.signal.aborted) throw controller.signal.reason ?? new Error('aborted');
      await this.o.verifyOutput?.(outputPath, video);
      const done = await this.resolve(video.id, { status: 'completed', filePath: outputPath });
      if (!done.changed) await rm(outputPath, { force: true });
      else finished('completed');
    } catch (err) {
      await rm(outputPath, { force: true }).catch(() => undefined);
      if (controller.signal.reason instanceof ShutdownInterrupt) {
        this.o.log.warn({ videoId: video.id }, 'render interrupted by shutdown; requeued at start');
        finished('interrupted');
        return;
      }
      const reason = timedOut
        ? 'Rendering timed out'
        : err instanceof RenderError
          ? err.message
          : isAbortError(err) || controller.signal.aborted
            ? 'Rendering was stopped'
            : 'Rendering failed unexpectedly';
      if (!(err instanceof RenderError) && !isAbortError(err)) {
        this.o.log.error({ err, videoId: video.id }, 'renderer crashed');
      }
      // A cancel already resolved the video; this is then a no-op.
      const failed = await this.resolve(video.id, { status: 'failed', error: reason });
      if (failed.changed) finished(timedOut ? 'timed_out' : 'failed', failed.video.creditsRefunded);
      else if (failed.video.status === 'canceled') finished('canceled');
    } finally {
      progress.stop();
      clearTimeout(timer);
    }
  }

  /**
   * Records the result. A transient store failure (another writer holding the lock, a full
   * or read-only disk) is retried for a while instead of leaving the video processing until
   * the next restart, or failing a render that succeeded.
   */
  private async resolve(
    videoId: string,
    finish: { status: 'completed'; filePath: string } | { status: 'failed'; error: string },
  ) {
    const giveUpAt = Date.now() + RESOLVE_GIVE_UP_MS;
    for (let attempt = 0; ; attempt++) {
      let result;
      try {
        result = await this.o.store.finishVideo(videoId, finish, this.now().toISOString());
      } catch (err) {
        if (!isTransient(err) || this.stopped || Date.now() >= giveUpAt) throw err;
        this.o.log.warn({ err, videoId, attempt }, 'could not record the video result, retrying');
        const wait = RESOLVE_RETRY_MS[Math.min(attempt, RESOLVE_RETRY_MS.length - 1)];
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      if (result.changed) {
        this.o.log.info({ videoId, status: result.video.status }, 'video resolved');
        this.publish(result.video);
      }
      return result;
    }
  }
}
