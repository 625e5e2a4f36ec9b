import { SIGNUP_BONUS_CREDITS, type SignupRequest, type SignupResponse } from '@app/shared';
import { newId } from '../../ids.ts';
import { AppError } from '../../errors.ts';
import { presentUser } from '../../presenters/user.ts';
import { expiresIn, LINK_TTL_MS, newLinkToken } from '../accounts/link-tokens.ts';
import { mailboxHash } from '../accounts/mailbox.ts';
import type { ClientAddress, ServiceContext } from '../context.ts';
import { assertStrongPassword } from './password-policy.ts';
import { hashPassword } from './passwords.ts';
import { startSession } from './sessions.ts';

/**
 * Creates the account, its welcome bonus (once per normalised mailbox: aliases of a mailbox
 * that already had one get an account without it) and its verification mail, in one
 * transaction. Signups are counted per client network (an IPv6 /64 is one network).
 */
export type SignupInput = SignupRequest & { client: ClientAddress };

export async function signup(options: {
  ctx: ServiceContext;
  input: SignupInput;
}): Promise<SignupResponse> {
  const { ctx, input } = options;
  const throttle = ctx.throttles.login;
  const { ip, network } = input.client;
  const giveBack = await throttle.consumeSignup(network);
  // Cheap pre-check so a duplicate signup does not pay for a bcrypt hash; the unique index
  // still decides under a race.
  if (await ctx.store.findUserByEmail({ email: input.email })) throw emailTaken();
  let passwordHash;
  try {
    passwordHash = await throttle.hashing.run(ip, async () => {
      await assertStrongPassword(input.password, { email: input.email, name: input.name });
      return hashPassword(input.password, ctx.config.bcryptCost);
    });
  } catch (err) {
    // A refused password or a full queue creates nothing, so it does not use up a signup.
    await giveBack();
    throw err;
  }
  const now = ctx.now();
  const id = newId();
  const link = newLinkToken();
  const created = await ctx.store.createAccount({
    id,
    email: input.email,
    name: input.name,
    passwordHash,
    signupBonus: SIGNUP_BONUS_CREDITS,
    bonusMailboxHash: mailboxHash(input.email),
    now: now.toISOString(),
    verification: {
      tokenHash: link.hash,
      purpose: 'verify_email',
      email: input.email,
      expiresAt: expiresIn(now, LINK_TTL_MS.verify_email),
    },
    mail: [
      {
        userId: id,
        to: input.email,
        template: 'verify_email',
        params: { token: link.token, name: input.name },
      },
    ],
  });
  if (created === 'email_taken') throw emailTaken();
  const { user, bonusGranted } = created;
  ctx.log.info({ userId: user.id, bonusGranted }, 'user signed up');
  const session = await startSession({ ctx, input: { userId: user.id } });
  return {
    ...session,
    user: presentUser(user),
    signupBonus: {
      granted: bonusGranted,
      credits: bonusGranted ? SIGNUP_BONUS_CREDITS : 0,
      withheldReason: bonusGranted ? null : 'MAILBOX_ALREADY_USED',
    },
  };
}

const emailTaken = () => new AppError('EMAIL_TAKEN', 'An account with this email already exists');
