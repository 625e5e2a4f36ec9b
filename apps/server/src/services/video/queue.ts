import type { VideoRecord } from '../../store/types.ts';

/** What video services need from the job runner, without knowing how it renders. */
export interface VideoQueue {
  /** A video was queued: start it when a slot is free. */
  wake(): void;
  /** Stop rendering this video now (it was canceled). */
  abort(videoId: string): void;
  /** Whether this process is rendering the video right now. */
  isRendering(videoId: string): boolean;
  /** Every state change of one video, for live progress. Returns an unsubscribe function. */
  subscribe(videoId: string, listener: (video: VideoRecord) => void): () => void;
  publish(video: VideoRecord): void;
  /** Started and not stopped (readiness). */
  isRunning(): boolean;
  /** Every render that ended, with its outcome (metrics). */
  observeRenders(listener: RenderListener): void;
}

export type RenderListener = (render: {
  outcome: 'completed' | 'failed' | 'timed_out' | 'canceled' | 'interrupted';
  seconds: number;
  /** Credits the failure gave back (0 unless failed or timed out). */
  creditsRefunded: number;
}) => void;
