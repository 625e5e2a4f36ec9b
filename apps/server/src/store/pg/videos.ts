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
import { videoFromRow } from '../sqlite/rows.ts';
import { applyEntry, lockUser } from './ledger.ts';
import { balanceOf } from './ledger-queries.ts';
import { QUEUE_CHANNEL, VIDEO_CHANNEL } from './listen.ts';
import * as outbox from './outbox.ts';
import type { Q } from './sql.ts';

/**
 * The render queue, as sqlite/videos.ts, plus the notifications other instances listen to.
 * Every function runs inside the caller's transaction.
 */

const leaseEnd = (now: string, leaseMs: number) =>
  new Date(Date.parse(now) + leaseMs).toISOString();

/** Tells every instance's listeners (SSE, the worker holding it) that the video changed. */
const notifyVideo = (q: Q, id: string) => q.run('SELECT pg_notify(?, ?)', [VIDEO_CHANNEL, id]);

/**
 * Wakes every instance's idle worker. Its own transaction, after the charge committed
 * (queue-announcer.ts); set_config(..., true) lasts until that commit, which carries no data
 * and so does not wait for the WAL flush.
 */
export async function announceQueued(q: Q): Promise<void> {
  await q.run("SELECT set_config('synchronous_commit', 'off', true), pg_notify(?, '')", [
    QUEUE_CHANNEL,
  ]);
}

export async function findVideo(q: Q, input: FindVideoInput): Promise<VideoRecord | null> {
  const row = await q.get('SELECT * FROM video_generations WHERE id = ?', [input.id]);
  return row ? videoFromRow(row) : null;
}

/** A video known to exist, read inside the transaction that changes it. */
const videoById = async (q: Q, id: string) => (await findVideo(q, { id }))!;

/**
 * One statement (migration 7's `claim_video`): the advisory lock that serializes claims, then
 * the next queued job in claim order whose user is under the running cap, taken with
 * SKIP LOCKED so a row a cancel holds is passed over, never waited on. The per-user cap is
 * counted and then acted on, which at READ COMMITTED two claims could both pass without that
 * lock. The function plans its UPDATE without sorts or bitmap scans: the queue is usually
 * empty when ANALYZE samples it, so the planner would expect a few queued jobs and read them
 * all and sort them, thousands of rows per claim with a backlog (18 ms measured), where
 * walking the claim-order index (migration 5) and stopping at the first job that qualifies
 * is right at any size. The claim's `attempts >= 0` is always true; saying it is what lets
 * this query, and no other, use that index.
 */
export async function claimVideo(q: Q, input: ClaimVideoInput): Promise<VideoRecord | null> {
  const row = await q.value<Record<string, unknown> | null>(
    'SELECT claim_video(p_now => @now, p_owner => @owner, p_lease_until => @leaseUntil, p_max_running => @maxRunning)',
    {
      now: input.now,
      owner: input.owner,
      leaseUntil: leaseEnd(input.now, input.leaseMs),
      maxRunning: input.maxRunningPerUser,
    },
    'prepared_claim_video',
  );
  return row ? videoFromRow(row) : null;
}

export async function renewVideoLease(
  q: Q,
  input: RenewVideoLeaseInput,
): Promise<'renewed' | 'lost'> {
  // A heartbeat moves no money: losing the last one to a database crash only shortens a
  // lease, so it does not wait for the WAL flush that every money write waits for.
  await q.run('SET LOCAL synchronous_commit = off');
  const progress =
    input.progress === undefined ? null : Math.max(0, Math.min(100, Math.round(input.progress)));
  const changed = await q.run(
    `UPDATE video_generations SET lease_until = @leaseUntil, updated_at = @now,
         progress = GREATEST(progress, COALESCE(@progress::int, progress))
       WHERE id = @id AND status = 'processing' AND lease_owner = @owner
         AND attempts = @attempt`,
    {
      id: input.id,
      now: input.now,
      progress,
      owner: input.lease.owner,
      attempt: input.lease.attempt,
      leaseUntil: leaseEnd(input.now, input.leaseMs),
    },
  );
  // Progress reaches SSE streams on other instances; a bare heartbeat tells nobody.
  if (changed > 0 && progress !== null) await notifyVideo(q, input.id);
  return changed > 0 ? 'renewed' : 'lost';
}

export async function releaseVideoLease(q: Q, input: ReleaseVideoLeaseInput): Promise<boolean> {
  const changed = await q.run(
    `UPDATE video_generations SET status = 'queued', progress = 0, lease_owner = NULL,
         lease_until = NULL, updated_at = @now
       WHERE id = @id AND status = 'processing' AND lease_owner = @owner
         AND attempts = @attempt`,
    { id: input.id, now: input.now, owner: input.lease.owner, attempt: input.lease.attempt },
  );
  if (changed > 0) await notifyVideo(q, input.id);
  return changed > 0;
}

export async function reapExpiredLeases(q: Q, input: ReapLeasesInput): Promise<ReapedVideo[]> {
  const expired = await q.all<{ id: string; user_id: string }>(
    `SELECT id, user_id FROM video_generations
       WHERE status = 'processing' AND (lease_until IS NULL OR lease_until < ?)
       ORDER BY lease_until LIMIT ?`,
    [input.now, input.limit],
  );
  const reaped: ReapedVideo[] = [];
  for (const { id, user_id: userId } of expired) {
    await lockUser(q, userId);
    // Re-read under the lock: the worker may have renewed or finished meanwhile.
    const row = await q.get(
      `SELECT * FROM video_generations WHERE id = ? AND status = 'processing'
         AND (lease_until IS NULL OR lease_until < ?) FOR UPDATE`,
      [id, input.now],
    );
    if (!row) continue;
    const video = videoFromRow(row);
    if (video.attempts >= input.maxAttempts) {
      const failed = await resolveVideo(
        q,
        video,
        { status: 'failed', error: 'Rendering failed repeatedly' },
        input.now,
      );
      reaped.push({ video: failed.video, outcome: 'failed' });
      continue;
    }
    const requeued = await q.get(
      `UPDATE video_generations SET status = 'queued', progress = 0, lease_owner = NULL,
           lease_until = NULL, updated_at = ? WHERE id = ? RETURNING *`,
      [input.now, id],
    );
    await notifyVideo(q, id);
    await q.run('SELECT pg_notify(?, ?)', [QUEUE_CHANNEL, '']);
    reaped.push({ video: videoFromRow(requeued!), outcome: 'requeued' });
  }
  return reaped;
}

export async function listVideosInStatus(
  q: Q,
  input: ListVideosInStatusInput,
): Promise<VideoRecord[]> {
  return (
    await q.all('SELECT * FROM video_generations WHERE status = ANY(?) ORDER BY created_at', [
      input.statuses,
    ])
  ).map(videoFromRow);
}

/**
 * The worker's result while it holds the lease, in one statement (migration 7's
 * `complete_video`): it locks the video row, completes it only if the lease is still this
 * worker's, and tells other instances' listeners, all in its own transaction. No credits
 * move, so the user's row is not locked (see the migration for why no race changes).
 */
export async function completeLeasedVideo(
  q: Q,
  input: FinishVideoInput & { finish: { status: 'completed' }; lease: VideoLease },
): Promise<FinishVideoResult> {
  const result = await q.value<{
    changed: boolean;
    video: Record<string, unknown>;
    balance: number;
  } | null>(
    `SELECT complete_video(p_id => @id, p_owner => @owner, p_attempt => @attempt,
       p_file_path => @filePath, p_now => @now, p_channel => @channel)`,
    {
      id: input.id,
      owner: input.lease.owner,
      attempt: input.lease.attempt,
      filePath: input.finish.filePath,
      now: input.now,
      channel: VIDEO_CHANNEL,
    },
    'prepared_complete_video',
  );
  if (!result) throw new Error(`no video ${input.id}`);
  return { video: videoFromRow(result.video), changed: result.changed, balance: result.balance };
}

/** Any other finish (a failure or cancel refunds; no lease: an operator's), in the caller's transaction. */
export async function finishVideo(q: Q, input: FinishVideoInput): Promise<FinishVideoResult> {
  const owner = await q.value<string>('SELECT user_id FROM video_generations WHERE id = ?', [
    input.id,
  ]);
  if (owner === undefined) throw new Error(`no video ${input.id}`);
  // Lock order user → video; the video row is then read locked, so a cancel and a
  // result racing each other decide one after the other, and the loser sees the winner's
  // terminal state ("no change") instead of running into the terminal-state trigger.
  await lockUser(q, owner);
  const current = videoFromRow(
    (await q.get('SELECT * FROM video_generations WHERE id = ? FOR UPDATE', [input.id]))!,
  );
  if (input.lease && !(await holdsLease(q, input.id, input.lease))) {
    return { video: current, changed: false, balance: await balanceOf(q, current.userId) };
  }
  return resolveVideo(q, current, input.finish, input.now);
}

const holdsLease = async (q: Q, id: string, lease: VideoLease): Promise<boolean> =>
  (await q.value(
    `SELECT 1 FROM video_generations
       WHERE id = ? AND status = 'processing' AND lease_owner = ? AND attempts = ?`,
    [id, lease.owner, lease.attempt],
  )) !== undefined;

/** Resolves a video whose row (and user) this transaction has locked; as SQLite's. */
async function resolveVideo(
  q: Q,
  current: VideoRecord,
  finish: VideoFinish,
  now: string,
): Promise<FinishVideoResult> {
  const id = current.id;
  if (
    current.status === 'completed' ||
    current.status === 'failed' ||
    current.status === 'canceled'
  ) {
    return { video: current, changed: false, balance: await balanceOf(q, current.userId) };
  }
  if (finish.status === 'completed') {
    await q.run(
      `UPDATE video_generations SET status = 'completed', progress = 100, file_path = ?,
           error = NULL, completed_at = ?, updated_at = ? WHERE id = ?`,
      [finish.filePath, now, now, id],
    );
    await notifyVideo(q, id);
    return {
      video: await videoById(q, id),
      changed: true,
      balance: await balanceOf(q, current.userId),
    };
  }
  const refund =
    finish.status === 'canceled'
      ? cancelRefundCredits({
          status: current.status,
          creditsUsed: current.creditsUsed,
          progress: current.progress,
        })
      : current.creditsUsed;
  await q.run(
    `UPDATE video_generations SET status = ?, error = ?, credits_refunded = ?,
         completed_at = ?, updated_at = ? WHERE id = ?`,
    [finish.status, finish.error, refund, now, now, id],
  );
  const balance =
    refund === 0
      ? await balanceOf(q, current.userId)
      : (
          await applyEntry(
            q,
            current.userId,
            {
              type: 'refund',
              amount: refund,
              referenceType: 'video',
              referenceId: id,
              description: refundDescription(finish.status, current, refund),
            },
            now,
          )
        ).balanceAfter;
  if (refund > 0) {
    await outbox.noticeVideoRefund(
      q,
      { userId: current.userId, videoId: id, credits: refund, reason: finish.status },
      now,
    );
  }
  await notifyVideo(q, id);
  return { video: await videoById(q, id), changed: true, balance };
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
