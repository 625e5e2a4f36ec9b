import type { MeResponse } from '@app/shared';
import { unauthorized } from '../../errors.ts';
import { presentUser } from '../../presenters/user.ts';
import type { Actor, ServiceContext } from '../context.ts';

export async function getCurrentUser(options: {
  ctx: ServiceContext;
  actor: Actor;
}): Promise<MeResponse> {
  const user = await options.ctx.store.findUserById({ id: options.actor.userId });
  // A valid token for a deleted account is as good as no token.
  if (!user) throw unauthorized();
  return { user: presentUser(user) };
}
