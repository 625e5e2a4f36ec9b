import { unauthorized, validationError } from '../../errors.ts';
import type { UserRecord } from '../../store/types.ts';
import type { Actor, ServiceContext } from '../context.ts';
import type { AuthThrottle } from '../auth/login-throttle.ts';
import { verifyPassword } from '../auth/passwords.ts';

/**
 * The signed-in user's password, checked before a change that a stolen session must not be
 * able to make (new email, deleting the account). Throttled like a login, so a stolen token
 * is no password oracle; a wrong password is a 400 on `field`, the session itself is fine.
 */
export async function confirmPassword(options: {
  ctx: ServiceContext;
  throttle: AuthThrottle;
  actor: Actor;
  password: string;
  field: string;
  ip: string;
}): Promise<UserRecord> {
  const { ctx, throttle, ip } = options;
  const user = await ctx.store.findUserById(options.actor.userId);
  if (!user || user.deletedAt) throw unauthorized();
  const attempt = await throttle.beginAttempt(`user:${user.id}`, ip);
  let ok;
  try {
    ok = await throttle.hashing.run(ip, () => verifyPassword(options.password, user.passwordHash));
  } catch (err) {
    await attempt.refund();
    throw err;
  }
  if (!ok) {
    throw validationError('Password is incorrect', [
      { path: options.field, message: 'Password is incorrect' },
    ]);
  }
  await attempt.succeeded();
  return user;
}
