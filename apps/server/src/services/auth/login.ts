import type { AuthResponse, LoginRequest } from '@app/shared';
import { AppError } from '../../errors.ts';
import { presentUser } from '../../presenters/user.ts';
import type { ServiceContext } from '../context.ts';
import type { AuthThrottle } from './login-throttle.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import { startSession } from './sessions.ts';
import type { TokenService } from './tokens.ts';

/** Unknown email and wrong password fail identically, after the same bcrypt work. */
export async function login(options: {
  ctx: ServiceContext;
  tokens: TokenService;
  throttle: AuthThrottle;
  input: LoginRequest;
  ip: string;
}): Promise<AuthResponse> {
  const { ctx, input, throttle, ip } = options;
  const attempt = await throttle.beginAttempt(input.email, ip);
  let user;
  let ok;
  try {
    user = await ctx.store.findUserByEmail(input.email);
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
  const session = await startSession({ ctx, tokens: options.tokens, userId: user.id });
  return { ...session, user: presentUser(user) };
}
