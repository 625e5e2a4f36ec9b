import type { AuthResponse, LoginRequest } from '@app/shared';
import { AppError } from '../../errors.ts';
import { presentUser } from '../../presenters/user.ts';
import type { ClientAddress, ServiceContext } from '../context.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import { startSession } from './sessions.ts';

/** Unknown email and wrong password fail identically, after the same bcrypt work. */
export type LoginInput = LoginRequest & { client: ClientAddress };

export async function login(options: {
  ctx: ServiceContext;
  input: LoginInput;
}): Promise<AuthResponse> {
  const { ctx, input } = options;
  const throttle = ctx.throttles.login;
  const { ip } = input.client;
  const attempt = await throttle.beginAttempt(input.email, ip);
  let user;
  let ok;
  try {
    user = await ctx.store.findUserByEmail({ email: input.email });
    const hash = user?.passwordHash ?? (await dummyPasswordHash(ctx.config.bcryptCost));
    ok = await throttle.hashing.run(ip, () => verifyPassword(input.password, hash));
  } catch (err) {
    // Never compared (queue full, storage down): not a guess, so it costs no attempt.
    await attempt.refund();
    throw err;
  }
  if (!user || !ok) throw new AppError('UNAUTHORIZED', 'Invalid email or password');
  await attempt.succeeded();
  // Told only after the right password, so it reveals nothing to someone guessing.
  if (user.disabledAt) {
    throw new AppError('ACCOUNT_DISABLED', 'This account is disabled; please contact support');
  }
  const session = await startSession({ ctx, input: { userId: user.id } });
  return { ...session, user: presentUser(user) };
}
