import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { DeleteAccountRequest } from '@app/shared';
import { unauthorized } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';
import type { AuthThrottle } from '../auth/login-throttle.ts';
import type { VideoQueue } from '../video/queue.ts';
import { confirmPassword } from './confirm-password.ts';
import { posterPathOf } from '../../video/poster.ts';

/**
 * Deletes the account after the password is confirmed. The remaining credits are forfeited
 * (one ledger entry), personal data is overwritten, sessions end; the ledger and payments
 * stay for accounting under the anonymous id, so `ledger:verify` still holds. The user's
 * video files are removed after the transaction; a file that cannot be removed is logged.
 */
export async function deleteAccount(options: {
  ctx: ServiceContext;
  throttle: AuthThrottle;
  queue: VideoQueue;
  actor: Actor;
  input: DeleteAccountRequest;
  ip: string;
}): Promise<void> {
  const { ctx } = options;
  const user = await confirmPassword({
    ...options,
    password: options.input.password,
    field: 'password',
  });
  const result = await ctx.store.deleteAccount({ userId: user.id, now: ctx.now().toISOString() });
  if (!result) throw unauthorized();
  for (const id of result.activeVideoIds) options.queue.abort(id);
  const videoDir = path.resolve(ctx.config.videoDir);
  for (const file of result.videoFiles) {
    const resolved = path.resolve(file);
    // Only files under the video directory: a path in the database is never trusted blindly.
    if (!resolved.startsWith(videoDir + path.sep)) continue;
    await Promise.all([
      rm(resolved, { force: true }),
      rm(posterPathOf(resolved), { force: true }),
    ]).catch((err: unknown) => {
      ctx.log.error({ err, userId: user.id }, 'could not delete a video file of a deleted account');
    });
  }
  ctx.log.info({ userId: user.id, forfeited: result.forfeited }, 'account deleted');
}
