import type { VideoRecord } from '../../store/types.ts';

/** What video services need from the job runner, without knowing how it renders. */
export interface VideoQueue {
  /** A video was queued: start it when a slot is free. */
  wake(): void;
  /** Stop rendering this video now (it was canceled). */
  abort(videoId: string): void;
  /** Every state change of one video, for live progress. Returns an unsubscribe function. */
  subscribe(videoId: string, listener: (video: VideoRecord) => void): () => void;
  publish(video: VideoRecord): void;
}
