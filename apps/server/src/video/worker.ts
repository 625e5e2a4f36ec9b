import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import type { RenderListener, VideoQueue } from '../services/video/queue.ts';
import type { Store, VideoLease, VideoRecord } from '../store/types.ts';
import { isAbortError, RenderError, type Renderer } from './renderers/index.ts';
import { progressWriter } from './progress-writer.ts';
import { RESOLUTION_SIZE } from './resolution.ts';
import type { StagedFile, VideoStorage } from './storage/video-storage.ts';

export interface VideoWorkerOptions {
  store: Store;
  renderer: Renderer;
  log: Logger;
  /** Where finished files go; the video record keeps the key. */
  storage: VideoStorage;
  concurrency: number;
  /** Renders of one user at once; the other slots stay free for other users. */
  maxRunningPerUser: number;
  renderTimeoutMs: number;
  /** Checks the renderer's output (a local file, not yet published) before completion. */
  verifyOutput?: (file: string, video: VideoRecord) => Promise<void>;
  /**
   * Writes the library's poster frame of a verified output to `poster`; a failure only costs
   * the thumbnail.
   */
  makePoster?: (file: string, poster: string, video: VideoRecord) => Promise<void>;
  now?: () => Date;
  /** A video whose lease ran out this many times is failed and refunded, not retried. */
  maxAttempts?: number;
  /** This worker's name on its leases; unique per process. */
  owner: string;
  /**
   * How long a claim lasts without a heartbeat; renewed every third of it. A worker that
   * died or stalled loses its jobs after this long, and another worker renders them.
   */
  leaseMs: number;
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

const REAP_BATCH = 100;

/** How much older than the render timeout a staged file must be to count as abandoned. */
const STAGING_MARGIN_MS = 10 * 60_000;

/**
 * Runs queued videos in the server process. Jobs live in the database and are leased: every
 * worker (several instances may share the database) renews its leases while it renders, and
 * reaps the leases of workers that stopped renewing theirs. Every job ends completed or
 * failed with its one refund; a worker whose lease was lost can no longer write anything.
 */
export class VideoWorker implements VideoQueue {
  private readonly events = new EventEmitter();
  private readonly running = new Map<string, AbortController>();
  /**
   * Running jobs whose result is being recorded. A change heard for one of them is almost
   * always that result's own notification, and anything else (a cancel) is decided by the
   * fenced write itself: there is nothing left to abort, so no re-read.
   */
  private readonly resolving = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private started = false;
  private draining: Promise<void> | undefined;
  private filling = false;
  private wokenWhileFilling = false;
  private readonly renderListeners: RenderListener[] = [];
  private readonly now: () => Date;
  private reaper: NodeJS.Timeout | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private reaping: Promise<void> | undefined;

  constructor(private readonly o: VideoWorkerOptions) {
    this.now = o.now ?? (() => new Date());
    this.events.setMaxListeners(0);
  }

  /**
   * Starts working: reaps expired leases now and every half lease. There is no "recovery at
   * start": a video still leased may belong to another live instance.
   */
  async start(): Promise<void> {
    this.started = true;
    await this.sweepAbandonedFiles();
    // Other instances' changes: SSE streams here see their progress and results, a render
    // here canceled there stops at once, and a video queued there wakes this worker.
    this.stopListening = await this.o.store.listenVideoEvents({
      onVideo: (id) => void this.remoteChange(id),
      onQueued: () => this.wake(),
      onGap: () => {
        for (const id of this.events.eventNames()) void this.remoteChange(String(id));
        for (const id of this.running.keys()) void this.remoteChange(id);
        this.wake();
      },
    });
    await this.reap();
    // The reaper's tick is also the poll fallback: a wake-up that never arrived (a lost
    // notification, another instance's announcement) delays a queued video by one tick.
    this.reaper = setInterval(
      () => void this.reap().then(() => this.wake()),
      Math.max(100, this.o.leaseMs / 2),
    );
    this.reaper.unref();
    this.wake();
  }

  /**
   * Staged output of renders whose process died (a finished or failed render discards its
   * own). Anything staged before the longest a render may run, plus a margin, is nobody's.
   */
  private async sweepAbandonedFiles(): Promise<void> {
    // File times are the wall clock's, whatever clock the worker's records use.
    const before = new Date(Date.now() - this.o.renderTimeoutMs - STAGING_MARGIN_MS);
    try {
      const removed = await this.o.storage.sweepAbandoned({ before });
      if (removed > 0) this.o.log.info({ removed }, 'removed abandoned staged video files');
    } catch (err) {
      this.o.log.warn({ err }, 'could not sweep abandoned staged video files');
    }
  }

  /** A video changed on another instance: re-read it for whoever here cares. */
  private async remoteChange(id: string): Promise<void> {
    const watched = this.events.listenerCount(id) > 0;
    if (!watched && (!this.running.has(id) || this.resolving.has(id))) return;
    const video = await this.o.store.findVideo({ id }).catch(() => null);
    if (!video) return;
    if (this.running.has(id) && !this.resolving.has(id) && video.status !== 'processing') {
      this.running.get(id)?.abort();
    }
    if (watched) this.publish(video);
  }

  /** Requeues (or fails and refunds) the jobs of workers that stopped renewing their leases. */
  reap(): Promise<void> {
    this.reaping ??= this.reapOnce().finally(() => (this.reaping = undefined));
    return this.reaping;
  }

  private async reapOnce(): Promise<void> {
    if (this.stopped) return;
    let reaped;
    try {
      reaped = await this.o.store.reapExpiredLeases({
        now: this.now().toISOString(),
        maxAttempts: this.o.maxAttempts ?? 3,
        limit: REAP_BATCH,
      });
    } catch (err) {
      this.o.log.warn({ err }, 'could not reap expired video leases');
      return;
    }
    for (const r of reaped) {
      this.publish(r.video);
      if (r.outcome === 'failed') {
        for (const l of this.renderListeners)
          l({ outcome: 'failed', seconds: 0, creditsRefunded: r.video.creditsRefunded });
      }
    }
    if (reaped.length > 0) {
      this.o.log.warn(
        { requeued: reaped.filter((r) => r.outcome === 'requeued').map((r) => r.video.id) },
        'reaped videos whose lease expired',
      );
      this.wake();
    }
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
   * `graceMs`. Renders still running then are stopped and their leases given back: the
   * videos are queued again at once for any instance (rendered again, never charged again).
   * Returns how many were left that way.
   */
  async drain(graceMs: number): Promise<{ interrupted: number }> {
    this.stopped = true;
    clearInterval(this.reaper);
    await this.stopListening?.();
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
    clearInterval(this.reaper);
    await this.stopListening?.();
    for (const controller of this.running.values()) controller.abort();
    await this.draining;
    await Promise.allSettled([...this.inFlight]);
  }

  wake(): void {
    // Not started: nothing is claimed (start() claims what is waiting); stopped: no more work.
    if (!this.started || this.stopped) return;
    // One claim loop at a time: concurrent loops would each see a free slot before any of
    // their claims returned and together start far more than `concurrency` renders.
    if (this.filling) {
      this.wokenWhileFilling = true;
      return;
    }
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
    this.filling = true;
    try {
      do {
        this.wokenWhileFilling = false;
        await this.claimWhileSlotsFree();
      } while (this.wokenWhileFilling && !this.stopped);
    } finally {
      this.filling = false;
    }
  }

  private async claimWhileSlotsFree(): Promise<void> {
    while (!this.stopped && this.running.size < this.o.concurrency) {
      let video: VideoRecord | null;
      try {
        video = await this.o.store.claimVideo({
          owner: this.o.owner,
          leaseMs: this.o.leaseMs,
          now: this.now().toISOString(),
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
          this.resolving.delete(video.id);
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
    const lease = { owner: this.o.owner, attempt: video.attempts };
    const { storage } = this.o;
    // Keyed per attempt: a stale worker removing its own output never touches the file of the
    // attempt that replaced it.
    const key = storage.keyFor({ videoId: video.id, attempt: video.attempts });
    const staged: StagedFile[] = [];
    /** An output that did not become its video's file, with its poster if one was made. */
    const removeOutput = async () => {
      await Promise.all(staged.map((f) => f.discard()));
      await storage.remove(key);
      await storage.remove(storage.posterKeyOf(key));
    };
    const size = RESOLUTION_SIZE[video.resolution];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.o.renderTimeoutMs);
    const renew = (percent?: number) =>
      this.o.store
        .renewVideoLease({
          id: video.id,
          lease,
          leaseMs: this.o.leaseMs,
          now: this.now().toISOString(),
          progress: percent,
        })
        .then(async (state) => {
          // Canceled (maybe on another instance), reaped or requeued: stop rendering.
          if (state === 'lost') return controller.abort();
          const v = percent === undefined ? null : await this.o.store.findVideo({ id: video.id });
          if (v && v.status === 'processing') this.publish(v);
        })
        .catch(() => undefined);
    const progress = progressWriter({
      intervalMs: PROGRESS_WRITE_INTERVAL_MS,
      recorded: video.progress,
      write: (percent) => void renew(percent),
    });
    const heartbeat = setInterval(() => void renew(), Math.max(50, this.o.leaseMs / 3));
    try {
      const output = await storage.stage(key);
      staged.push(output);
      await this.o.renderer.render({
        videoId: video.id,
        prompt: video.prompt,
        durationSeconds: video.durationMinutes * 60,
        width: size.width,
        height: size.height,
        customMusic: video.customMusic,
        premiumTTS: video.premiumTTS,
        aiEnhancement: video.aiEnhancement,
        outputPath: output.path,
        signal: controller.signal,
        // 100 is written by completion itself, with the file.
        onProgress: (percent) => percent < 100 && progress.report(percent),
      });
      progress.stop();
      if (controller.signal.aborted) throw controller.signal.reason ?? new Error('aborted');
      await this.o.verifyOutput?.(output.path, video);
      // Before completion, so the first listing that shows the video can show its poster.
      await this.publishPoster(video, output.path, storage.posterKeyOf(key), staged);
      await output.publish();
      const done = await this.resolve(video.id, lease, { status: 'completed', filePath: key });
      if (!done.changed) await removeOutput();
      else finished('completed');
    } catch (err) {
      await removeOutput().catch(() => undefined);
      if (controller.signal.reason instanceof ShutdownInterrupt) {
        await this.o.store
          .releaseVideoLease({ id: video.id, lease, now: this.now().toISOString() })
          .catch(() => undefined);
        this.o.log.warn({ videoId: video.id }, 'render interrupted by shutdown; requeued');
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
      const failed = await this.resolve(video.id, lease, { status: 'failed', error: reason });
      if (failed.changed) finished(timedOut ? 'timed_out' : 'failed', failed.video.creditsRefunded);
      else if (failed.video.status === 'canceled') finished('canceled');
    } finally {
      progress.stop();
      clearInterval(heartbeat);
      clearTimeout(timer);
    }
  }

  private async publishPoster(
    video: VideoRecord,
    file: string,
    posterKey: string,
    staged: StagedFile[],
  ): Promise<void> {
    if (!this.o.makePoster) return;
    let poster: StagedFile | undefined;
    try {
      poster = await this.o.storage.stage(posterKey);
      staged.push(poster);
      await this.o.makePoster(file, poster.path, video);
      await poster.publish();
    } catch (err) {
      await poster?.discard().catch(() => undefined);
      this.o.log.warn({ err, videoId: video.id }, 'could not extract a poster frame');
    }
  }

  /**
   * Records the result. A transient store failure (another writer holding the lock, a full
   * or read-only disk) is retried for a while instead of leaving the video processing until
   * the next restart, or failing a render that succeeded.
   */
  private async resolve(
    videoId: string,
    lease: VideoLease,
    finish: { status: 'completed'; filePath: string } | { status: 'failed'; error: string },
  ) {
    this.resolving.add(videoId);
    const giveUpAt = Date.now() + RESOLVE_GIVE_UP_MS;
    for (let attempt = 0; ; attempt++) {
      let result;
      try {
        result = await this.o.store.finishVideo({
          id: videoId,
          finish,
          lease,
          now: this.now().toISOString(),
        });
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
