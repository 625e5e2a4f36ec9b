import type { DeleteAccountRequest } from '@app/shared';
import { unauthorized } from '../../errors.ts';
import type { Actor, ClientAddress, ServiceContext } from '../context.ts';
import { confirmPassword } from './confirm-password.ts';
import { removeVideoFiles } from '../video/remove-video-files.ts';

/**
 * Deletes the account after the password is confirmed. The remaining credits are forfeited
 * (one ledger entry), personal data is overwritten, sessions end; the ledger and payments
 * stay for accounting under the anonymous id, so `ledger:verify` still holds. The user's
 * video files are removed after the transaction; a file that cannot be removed is logged.
 */
export type DeleteAccountInput = DeleteAccountRequest & { client: ClientAddress };

export async function deleteAccount(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: DeleteAccountInput;
}): Promise<void> {
  const { ctx, actor, input } = options;
  const user = await confirmPassword({
    ctx,
    actor,
    input: { password: input.password, field: 'password', client: input.client },
  });
  const result = await ctx.store.deleteAccount({ userId: user.id, now: ctx.now().toISOString() });
  if (!result) throw unauthorized();
  for (const id of result.activeVideoIds) ctx.videoQueue.abort(id);
  await removeVideoFiles(ctx, result.videoFiles, { userId: user.id });
  ctx.log.info({ userId: user.id, forfeited: result.forfeited }, 'account deleted');
}
