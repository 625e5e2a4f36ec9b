import { AppError, unauthorized } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';

/**
 * With REQUIRE_VERIFIED_EMAIL on, buying and generating need a verified address: everything
 * else (signing in, reading history, settings) keeps working, so the user can fix it.
 */
export async function assertEmailVerified(options: {
  ctx: ServiceContext;
  actor: Actor;
}): Promise<void> {
  const { ctx } = options;
  if (!ctx.config.requireVerifiedEmail) return;
  const user = await ctx.store.findUserById({ id: options.actor.userId });
  if (!user || user.deletedAt) throw unauthorized();
  if (user.emailVerifiedAt) return;
  throw emailNotVerified();
}

export const emailNotVerified = () =>
  new AppError(
    'EMAIL_NOT_VERIFIED',
    'Verify your email address to buy credits or generate videos; we can send the link again',
  );
