import type { AuthResponse, ChangePasswordRequest } from '@app/shared';
import { unauthorized, validationError } from '../../errors.ts';
import { presentUser } from '../../presenters/user.ts';
import type { Actor, ClientAddress, ServiceContext } from '../context.ts';
import { assertStrongPassword } from './password-policy.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { newSession } from './sessions.ts';

/**
 * Checks the current password (throttled like a login: a stolen token must not become a
 * password oracle), then stores the new hash, revokes every session and opens a new one for
 * the caller, in one transaction. A wrong current password is a 400, not a 401: the caller's
 * session is fine and must not look expired.
 */
export type ChangePasswordInput = ChangePasswordRequest & { client: ClientAddress };

export async function changePassword(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: ChangePasswordInput;
}): Promise<AuthResponse> {
  const { ctx, actor, input } = options;
  const throttle = ctx.throttles.login;
  const { ip } = input.client;
  const user = await ctx.store.findUserById({ id: actor.userId });
  if (!user) throw unauthorized();
  const attempt = await throttle.beginAttempt(`user:${user.id}`, ip);
  let ok;
  try {
    ok = await throttle.hashing.run(ip, () =>
      verifyPassword(input.currentPassword, user.passwordHash),
    );
  } catch (err) {
    await attempt.refund();
    throw err;
  }
  if (!ok) {
    throw validationError('Current password is incorrect', [
      { path: 'currentPassword', message: 'Current password is incorrect' },
    ]);
  }
  await attempt.succeeded();
  const passwordHash = await throttle.hashing.run(ip, async () => {
    await assertStrongPassword(input.newPassword, { email: user.email, name: user.name });
    return hashPassword(input.newPassword, ctx.config.bcryptCost);
  });
  const now = ctx.now();
  const { session, token, expiresAt } = newSession(ctx.tokens, user.id, now);
  const updated = await ctx.store.changePassword({
    userId: user.id,
    passwordHash,
    now: now.toISOString(),
    session,
  });
  if (!updated) throw unauthorized();
  ctx.log.info({ userId: user.id }, 'password changed; every session revoked');
  return { token, expiresAt, user: presentUser(updated) };
}
