import type { AdminActionResponse, AdminVideoActionRequestSchema } from '@app/shared';
import type { z } from 'zod';
import { AppError, notFound } from '../../errors.ts';
import { presentAudit } from '../../presenters/admin.ts';
import type { VideoActionResult } from '../../store/admin-types.ts';
import type { ServiceContext } from '../context.ts';
import { auditActor, requireAdmin, type StaffActor } from './staff.ts';

export type VideoActionInput = z.output<typeof AdminVideoActionRequestSchema> & {
  videoId: string;
};

/**
 * A stuck render, failed with its full refund. Like a cancel, the video is resolved first
 * (one transaction: status, refund entry, audit entry) and the renderer stopped after; if
 * the render finishes in between, the store keeps the resolution that came first.
 */
export async function failVideo(options: {
  ctx: ServiceContext;
  actor: StaffActor;
  input: VideoActionInput;
}): Promise<AdminActionResponse> {
  const { ctx, actor: staff, input } = options;
  requireAdmin(staff, 'fail videos');
  const result = await ctx.store.admin.failVideo({
    videoId: input.videoId,
    actor: auditActor(staff),
    reason: input.reason,
    note: input.note,
    error: 'Stopped by support; credits refunded',
    now: ctx.now().toISOString(),
  });
  const done = settled(result);
  ctx.videoQueue.abort(done.video.id);
  ctx.videoQueue.publish(done.video);
  return {
    status: 'applied',
    audit: done.audit.map(presentAudit),
    approval: null,
    balance: done.balance,
  };
}

/**
 * Puts a video stuck in `processing` (its render is gone: the result could not be recorded,
 * or the job died) back in the queue. A video this server is still rendering is refused:
 * requeueing it would let the running render's result land on the requeued job.
 */
export async function requeueVideo(options: {
  ctx: ServiceContext;
  actor: StaffActor;
  input: VideoActionInput;
}): Promise<AdminActionResponse> {
  const { ctx, actor: staff, input } = options;
  requireAdmin(staff, 'requeue videos');
  if (ctx.videoQueue.isRendering(input.videoId)) {
    throw new AppError(
      'INVALID_STATE',
      'The video is rendering right now; fail and refund it instead, or wait',
    );
  }
  const result = await ctx.store.admin.requeueVideo({
    videoId: input.videoId,
    actor: auditActor(staff),
    reason: input.reason,
    note: input.note,
    now: ctx.now().toISOString(),
  });
  const done = settled(result);
  ctx.videoQueue.publish(done.video);
  ctx.videoQueue.wake();
  return {
    status: 'applied',
    audit: done.audit.map(presentAudit),
    approval: null,
    balance: done.balance,
  };
}

function settled(result: VideoActionResult) {
  if (result.kind === 'not_found') throw notFound('Video');
  if (result.kind === 'invalid_state') {
    throw new AppError('INVALID_STATE', `The video is ${result.video.status}`);
  }
  return result;
}
