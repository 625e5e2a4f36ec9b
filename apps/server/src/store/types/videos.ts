import type { Resolution, VideoStatus } from '@app/shared';
import type { IdempotencyKeyRef } from './idempotency.ts';
import type { Page, PageResult } from './page.ts';

export interface VideoRecord {
  id: string;
  userId: string;
  idempotencyKey: string | null;
  status: VideoStatus;
  prompt: string;
  durationMinutes: number;
  resolution: Resolution;
  customMusic: boolean;
  premiumTTS: boolean;
  aiEnhancement: boolean;
  creditsUsed: number;
  creditsRefunded: number;
  progress: number;
  error: string | null;
  filePath: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** Set when its owner deleted it from the library: hidden, file gone, ledger untouched. */
  deletedAt?: string | null;
}

/** A user's video list: by status, and/or prompts containing every word of `q`. */
export interface VideoListFilter {
  status?: VideoStatus;
  q?: string;
}

/** A video as the charge creates it: queued, nothing rendered, nothing refunded yet. */
export type NewVideo = Omit<
  VideoRecord,
  | 'creditsRefunded'
  | 'progress'
  | 'error'
  | 'filePath'
  | 'attempts'
  | 'updatedAt'
  | 'startedAt'
  | 'completedAt'
  | 'status'
>;

export interface ChargeVideoInput {
  idempotency?: IdempotencyKeyRef;
  /** The user's queued videos may not exceed this; checked in the charge transaction. */
  maxQueued: number;
  video: NewVideo;
  /**
   * The caller's session, when only its token's signature has been checked: the charge
   * first checks that the session is still live, as `isSessionActive`, and otherwise answers
   * `session_ended` and writes nothing. On PostgreSQL that saves the busiest write a round
   * trip.
   */
  sessionId?: string;
  /** REQUIRE_VERIFIED_EMAIL: an unverified account is refused (`email_not_verified`). */
  requireVerifiedEmail?: boolean;
}

/**
 * What a charge decided, as remembered with its Idempotency-Key: the video as it was created
 * (a later render does not change the replay), or the refusal with the cost it refused.
 */
export type ChargeOutcome =
  | { kind: 'created'; video: VideoRecord; balance: number }
  | { kind: 'insufficient' | 'owes'; balance: number; required: number };

export type ChargeVideoResult =
  | ChargeOutcome
  /** Same key, same request: the first charge's outcome, never a second charge. */
  | { kind: 'replayed'; outcome: ChargeOutcome }
  /** Same, for a record written before outcomes were stored (migration 14): its HTTP reply. */
  | { kind: 'replayed_reply'; status: number; body: string }
  | { kind: 'too_many_queued'; queued: number; limit: number }
  | { kind: 'key_reused' }
  /** `sessionId` was given and is signed out, revoked, or its account disabled. */
  | { kind: 'session_ended' }
  /** `requireVerifiedEmail` was set and the account's address is not verified. */
  | { kind: 'email_not_verified' };

export interface FindVideoInput {
  id: string;
}

export interface ListVideosInput {
  userId: string;
  filter: VideoListFilter;
  page: Page;
}

export interface VideoPromptsInput {
  userId: string;
  ids: string[];
}

export interface ListVideosInStatusInput {
  statuses: VideoStatus[];
}

export interface DeleteVideoInput {
  id: string;
  userId: string;
  now: string;
}

export type DeleteVideoResult =
  { kind: 'deleted'; filePath: string | null } | { kind: 'not_found' } | { kind: 'active' };

export type VideoFinish =
  { status: 'completed'; filePath: string } | { status: 'failed' | 'canceled'; error: string };

/** Who holds a render job: the fencing token every write of the worker carries. */
export interface VideoLease {
  owner: string;
  /** The video's `attempts` when it was claimed. */
  attempt: number;
}

export interface ClaimVideoInput {
  owner: string;
  leaseMs: number;
  now: string;
  maxRunningPerUser: number;
}

export interface RenewVideoLeaseInput {
  id: string;
  lease: VideoLease;
  leaseMs: number;
  now: string;
  /** 0-100; never lowers the recorded progress. */
  progress?: number;
}

export interface ReleaseVideoLeaseInput {
  id: string;
  lease: VideoLease;
  now: string;
}

export interface ReapLeasesInput {
  now: string;
  maxAttempts: number;
  limit: number;
}

export interface ReapedVideo {
  video: VideoRecord;
  outcome: 'requeued' | 'failed';
}

export interface FinishVideoInput {
  id: string;
  finish: VideoFinish;
  now: string;
  lease?: VideoLease;
}

export interface FinishVideoResult {
  video: VideoRecord;
  changed: boolean;
  balance: number;
}

/** The library (a user's videos) and the render queue with its leases. */
export interface VideosStore {
  /**
   * Debit and create the video in one transaction, before any rendering; with `idempotency`,
   * the key is looked up and its record, holding the outcome, written in that same transaction.
   */
  chargeAndCreateVideo(input: ChargeVideoInput): Promise<ChargeVideoResult>;
  findVideo(input: FindVideoInput): Promise<VideoRecord | null>;
  /** The user's videos, newest first; deleted ones are never listed. */
  listVideos(input: ListVideosInput): Promise<PageResult<VideoRecord>>;
  /**
   * Deletes a finished video of the user from the library (`active`: it is still queued or
   * rendering; `not_found`: not theirs or already deleted). The row stays for the ledger,
   * without its prompt or file; returns the file the caller must remove.
   */
  deleteVideo(input: DeleteVideoInput): Promise<DeleteVideoResult>;
  /** Prompts of these videos of the user (deleted ones: null), by primary key; for ledger rows. */
  videoPrompts(input: VideoPromptsInput): Promise<Map<string, string | null>>;
  /**
   * Leases the next queued video to `owner` for `leaseMs` and moves it to processing (its
   * `attempts` + 1 is the lease's attempt number), or returns null: round robin across users
   * (lowest fair round, then oldest), skipping users already rendering `maxRunningPerUser`.
   * Two workers never get the same video.
   */
  claimVideo(input: ClaimVideoInput): Promise<VideoRecord | null>;
  /**
   * Extends the lease (the worker's heartbeat) and records progress when given. `lost`: the
   * video is no longer this lease's (canceled, reaped, requeued): the worker stops rendering.
   */
  renewVideoLease(input: RenewVideoLeaseInput): Promise<'renewed' | 'lost'>;
  /** Gives a leased video back to the queue at once (graceful shutdown); false if lost. */
  releaseVideoLease(input: ReleaseVideoLeaseInput): Promise<boolean>;
  /**
   * Videos whose lease ran out (their worker died or stalled): each is queued again, or failed
   * with its full refund once `maxAttempts` attempts were made. At most `limit` per call.
   */
  reapExpiredLeases(input: ReapLeasesInput): Promise<ReapedVideo[]>;
  listVideosInStatus(input: ListVideosInStatusInput): Promise<VideoRecord[]>;
  /**
   * Resolves a video once: completed; failed with a full refund; or canceled with the refund
   * of the cancel policy (`cancelRefundCredits`, from the progress recorded when the cancel
   * lands). Each refund is one ledger entry referencing the video; a zero refund writes none.
   * With `lease` (a worker's result) nothing changes unless the video is still processing
   * under that very lease: a stale worker can never resolve a video another one took over.
   */
  finishVideo(input: FinishVideoInput): Promise<FinishVideoResult>;
}
