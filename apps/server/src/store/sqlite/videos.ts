import { cancelRefundCredits } from '@app/shared';
import type {
  ClaimVideoInput,
  FindVideoInput,
  FinishVideoInput,
  FinishVideoResult,
  ListVideosInStatusInput,
  ReapedVideo,
  ReapLeasesInput,
  ReleaseVideoLeaseInput,
  RenewVideoLeaseInput,
  VideoFinish,
  VideoLease,
  VideoRecord,
} from '../types.ts';
import { applyEntry } from './ledger.ts';
import { balanceOf } from './ledger-queries.ts';
import type { Db } from './open.ts';
import * as outbox from './outbox.ts';
import { videoFromRow } from './rows.ts';
import { statement } from './statements.ts';

/**
 * The render queue: claims, leases and resolving a video with its refund (the library a user
 * sees is video-library.ts). Every function runs inside the caller's transaction.
 */

type Row = Record<string, unknown>;

/**
 * Active jobs (waiting or rendering). The partial indexes of migration 5 cover exactly these
 * rows, and SQLite only uses a partial index when the query repeats its WHERE term.
 */
export const ACTIVE = "status IN ('queued', 'processing')";

const leaseEnd = (now: string, leaseMs: number) =>
  new Date(Date.parse(now) + leaseMs).toISOString();

export function findVideo(db: Db, input: FindVideoInput): VideoRecord | null {
  const row = statement(db, 'SELECT * FROM video_generations WHERE id = ?').get(input.id) as
    Row | undefined;
  return row ? videoFromRow(row) : null;
}

/** A video known to exist, read inside the transaction that changes it. */
function videoById(db: Db, id: string): VideoRecord {
  return findVideo(db, { id })!;
}

export function claimVideo(db: Db, input: ClaimVideoInput): VideoRecord | null {
  // Walks the queue in fair order and stops at the first job whose user is under the
  // running cap. Only users at the cap are skipped, and there are at most as many of them
  // as render slots, each with a bounded queue: the walk is short however long the queue.
  const row = statement(
    db,
    `UPDATE video_generations SET status = 'processing', attempts = attempts + 1,
         started_at = COALESCE(started_at, @now), updated_at = @now,
         lease_owner = @owner, lease_until = @leaseUntil
       WHERE id = (
         SELECT q.id FROM video_generations q
         WHERE q.${ACTIVE} AND q.status = 'queued'
           AND (SELECT COUNT(*) FROM video_generations r
                WHERE r.user_id = q.user_id AND r.status = 'processing')
               < @maxRunning
         ORDER BY q.fair_round, q.created_at, q.id LIMIT 1)
       RETURNING *`,
  ).get({
    now: input.now,
    maxRunning: input.maxRunningPerUser,
    owner: input.owner,
    leaseUntil: leaseEnd(input.now, input.leaseMs),
  }) as Row | undefined;
  return row ? videoFromRow(row) : null;
}

export function renewVideoLease(db: Db, input: RenewVideoLeaseInput): 'renewed' | 'lost' {
  const progress =
    input.progress === undefined ? null : Math.max(0, Math.min(100, Math.round(input.progress)));
  const info = statement(
    db,
    `UPDATE video_generations SET lease_until = @leaseUntil, updated_at = @now,
         progress = MAX(progress, COALESCE(@progress, progress))
       WHERE id = @id AND status = 'processing' AND lease_owner = @owner
         AND attempts = @attempt`,
  ).run({
    id: input.id,
    now: input.now,
    progress,
    owner: input.lease.owner,
    attempt: input.lease.attempt,
    leaseUntil: leaseEnd(input.now, input.leaseMs),
  });
  return info.changes > 0 ? 'renewed' : 'lost';
}

export function releaseVideoLease(db: Db, input: ReleaseVideoLeaseInput): boolean {
  return (
    statement(
      db,
      `UPDATE video_generations SET status = 'queued', progress = 0, lease_owner = NULL,
           lease_until = NULL, updated_at = @now
         WHERE id = @id AND status = 'processing' AND lease_owner = @owner
           AND attempts = @attempt`,
    ).run({
      id: input.id,
      now: input.now,
      owner: input.lease.owner,
      attempt: input.lease.attempt,
    }).changes > 0
  );
}

export function reapExpiredLeases(db: Db, input: ReapLeasesInput): ReapedVideo[] {
  // A lease-less processing row was left by a version without leases: expired too.
  const rows = statement(
    db,
    `SELECT * FROM video_generations
       WHERE status = 'processing' AND (lease_until IS NULL OR lease_until < ?)
       ORDER BY lease_until LIMIT ?`,
  ).all(input.now, input.limit) as Row[];
  return rows.map((row): ReapedVideo => {
    const video = videoFromRow(row);
    if (video.attempts >= input.maxAttempts) {
      const failed = resolveVideo(
        db,
        video,
        { status: 'failed', error: 'Rendering failed repeatedly' },
        input.now,
      );
      return { video: failed.video, outcome: 'failed' };
    }
    const requeued = statement(
      db,
      `UPDATE video_generations SET status = 'queued', progress = 0, lease_owner = NULL,
           lease_until = NULL, updated_at = ? WHERE id = ? RETURNING *`,
    ).get(input.now, video.id) as Row;
    return { video: videoFromRow(requeued), outcome: 'requeued' };
  });
}

export function listVideosInStatus(db: Db, input: ListVideosInStatusInput): VideoRecord[] {
  const { statuses } = input;
  const marks = statuses.map(() => '?').join(', ');
  const active = statuses.every((x) => x === 'queued' || x === 'processing');
  return (
    statement(
      db,
      `SELECT * FROM video_generations WHERE ${active ? `${ACTIVE} AND ` : ''}status IN (${marks})
         ORDER BY created_at`,
    ).all(...statuses) as Row[]
  ).map(videoFromRow);
}

export function finishVideo(db: Db, input: FinishVideoInput): FinishVideoResult {
  const current = videoById(db, input.id);
  if (input.lease && !holdsLease(db, input.id, input.lease)) {
    return { video: current, changed: false, balance: balanceOf(db, current.userId) };
  }
  return resolveVideo(db, current, input.finish, input.now);
}

/** Whether the video is still rendering under this lease (its owner and attempt). */
function holdsLease(db: Db, id: string, lease: VideoLease): boolean {
  return (
    statement(
      db,
      `SELECT 1 FROM video_generations
         WHERE id = ? AND status = 'processing' AND lease_owner = ? AND attempts = ?`,
      { pluck: true },
    ).get(id, lease.owner, lease.attempt) !== undefined
  );
}

function resolveVideo(
  db: Db,
  current: VideoRecord,
  finish: VideoFinish,
  now: string,
): FinishVideoResult {
  const id = current.id;
  if (
    current.status === 'completed' ||
    current.status === 'failed' ||
    current.status === 'canceled'
  ) {
    return { video: current, changed: false, balance: balanceOf(db, current.userId) };
  }
  if (finish.status === 'completed') {
    statement(
      db,
      `UPDATE video_generations SET status = 'completed', progress = 100, file_path = ?,
           error = NULL, completed_at = ?, updated_at = ? WHERE id = ?`,
    ).run(finish.filePath, now, now, id);
    return { video: videoById(db, id), changed: true, balance: balanceOf(db, current.userId) };
  }
  // A cancel is priced from the progress recorded up to now, read in this transaction.
  const refund =
    finish.status === 'canceled'
      ? cancelRefundCredits({
          status: current.status,
          creditsUsed: current.creditsUsed,
          progress: current.progress,
        })
      : current.creditsUsed;
  statement(
    db,
    `UPDATE video_generations SET status = ?, error = ?, credits_refunded = ?,
         completed_at = ?, updated_at = ? WHERE id = ?`,
  ).run(finish.status, finish.error, refund, now, now, id);
  // The ledger refuses zero amounts: a render canceled at 100 % refunds nothing.
  const balance =
    refund === 0
      ? balanceOf(db, current.userId)
      : applyEntry(
          db,
          current.userId,
          {
            type: 'refund',
            amount: refund,
            referenceType: 'video',
            referenceId: id,
            description: refundDescription(finish.status, current, refund),
          },
          now,
        ).balanceAfter;
  if (refund > 0) {
    outbox.noticeVideoRefund(
      db,
      { userId: current.userId, videoId: id, credits: refund, reason: finish.status },
      now,
    );
  }
  return { video: videoById(db, id), changed: true, balance };
}

function refundDescription(
  status: 'failed' | 'canceled',
  video: VideoRecord,
  refund: number,
): string {
  if (status === 'failed') return 'Refund: video generation failed';
  if (refund === video.creditsUsed) return 'Refund: video canceled';
  return `Refund: video canceled at ${video.progress}% (${refund} of ${video.creditsUsed} credits)`;
}
