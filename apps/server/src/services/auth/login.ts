import type { AuthResponse, LoginRequest } from '@app/shared';
import { AppError } from '../../errors.ts';
import { presentUser } from '../../presenters/user.ts';
import type { ServiceContext } from '../context.ts';
import type { AuthThrottle } from './login-throttle.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
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
  await throttle.assertLoginAllowed(input.email, ip);
  const user = await ctx.store.findUserByEmail(input.email);
  const hash = user?.passwordHash ?? (await dummyPasswordHash(ctx.config.bcryptCost));
  const ok = await verifyPassword(input.password, hash);
  if (!user || !ok) {
    await throttle.recordLoginFailure(input.email, ip);
    throw new AppError('UNAUTHORIZED', 'Invalid email or password');
  }
  await throttle.recordLoginSuccess(input.email, ip);
  return { ...options.tokens.issue(user.id, ctx.now()), user: presentUser(user) };
}
