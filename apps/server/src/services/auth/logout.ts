import { unauthorized } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';

/** Revokes the session of the token that made the request; other devices stay signed in. */
export async function logout(options: { ctx: ServiceContext; actor: Actor }): Promise<void> {
  const { ctx, actor } = options;
  if (!actor.sessionId) throw unauthorized();
  await ctx.store.revokeSession({
    id: actor.sessionId,
    userId: actor.userId,
    now: ctx.now().toISOString(),
  });
}

/** "Sign out everywhere": every session of the user, this one included. */
export async function logoutEverywhere(options: {
  ctx: ServiceContext;
  actor: Actor;
}): Promise<{ revoked: number }> {
  const { ctx, actor } = options;
  const revoked = await ctx.store.revokeUserSessions({
    userId: actor.userId,
    now: ctx.now().toISOString(),
  });
  ctx.log.info({ userId: actor.userId, revoked }, 'signed out everywhere');
  return { revoked };
}
