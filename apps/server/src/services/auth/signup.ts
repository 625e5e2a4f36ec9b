import { SIGNUP_BONUS_CREDITS, type AuthResponse, type SignupRequest } from '@app/shared';
import { newId } from '../../ids.ts';
import { AppError } from '../../errors.ts';
import { presentUser } from '../../presenters/user.ts';
import type { ServiceContext } from '../context.ts';
import type { AuthThrottle } from './login-throttle.ts';
import { hashPassword } from './passwords.ts';
import type { TokenService } from './tokens.ts';

/** Creates the account and its welcome bonus in one transaction. */
export async function signup(options: {
  ctx: ServiceContext;
  tokens: TokenService;
  throttle: AuthThrottle;
  input: SignupRequest;
  ip: string;
}): Promise<AuthResponse> {
  const { ctx, input } = options;
  await options.throttle.consumeSignup(options.ip);
  // Cheap pre-check so a duplicate signup does not pay for a bcrypt hash; the unique index
  // still decides under a race.
  if (await ctx.store.findUserByEmail(input.email)) throw emailTaken();
  const passwordHash = await hashPassword(input.password, ctx.config.bcryptCost);
  const now = ctx.now();
  const created = await ctx.store.createUser({
    id: newId(),
    email: input.email,
    name: input.name,
    passwordHash,
    signupBonus: SIGNUP_BONUS_CREDITS,
    now: now.toISOString(),
  });
  if (created === 'email_taken') throw emailTaken();
  ctx.log.info({ userId: created.id }, 'user signed up');
  return { ...options.tokens.issue(created.id, now), user: presentUser(created) };
}

const emailTaken = () => new AppError('EMAIL_TAKEN', 'An account with this email already exists');
