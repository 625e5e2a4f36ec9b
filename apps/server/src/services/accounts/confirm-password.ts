import { unauthorized, validationError } from '../../errors.ts';
import type { UserRecord } from '../../store/types.ts';
import type { Actor, ClientAddress, ServiceContext } from '../context.ts';
import { verifyPassword } from '../auth/passwords.ts';

/**
 * The signed-in user's password, checked before a change that a stolen session must not be
 * able to make (new email, deleting the account). Throttled like a login, so a stolen token
 * is no password oracle; a wrong password is a 400 on `field`, the session itself is fine.
 */
export interface ConfirmPasswordInput {
  password: string;
  /** The request field a wrong password is reported on. */
  field: string;
  client: ClientAddress;
}

export async function confirmPassword(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: ConfirmPasswordInput;
}): Promise<UserRecord> {
  const { ctx, input } = options;
  const throttle = ctx.throttles.login;
  const { ip } = input.client;
  const user = await ctx.store.findUserById({ id: options.actor.userId });
  if (!user || user.deletedAt) throw unauthorized();
  const attempt = await throttle.beginAttempt(`user:${user.id}`, ip);
  let ok;
  try {
    ok = await throttle.hashing.run(ip, () => verifyPassword(input.password, user.passwordHash));
  } catch (err) {
    await attempt.refund();
    throw err;
  }
  if (!ok) {
    throw validationError('Password is incorrect', [
      { path: input.field, message: 'Password is incorrect' },
    ]);
  }
  await attempt.succeeded();
  return user;
}
