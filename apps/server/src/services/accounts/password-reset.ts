import type { ForgotPasswordRequest, MailQueuedResponse, ResetPasswordRequest } from '@app/shared';
import type { ClientAddress, ServiceContext } from '../context.ts';
import { assertStrongPassword } from '../auth/password-policy.ts';
import { hashPassword } from '../auth/passwords.ts';
import { expiresIn, hashLinkToken, LINK_TTL_MS, newLinkToken } from './link-tokens.ts';
import { linkError } from './link-errors.ts';

const QUEUED =
  'If an account uses this address, a link to choose a new password is on its way. It works for 30 minutes.';

/**
 * "Forgot password?". The answer, and the work done to get it, are the same whether or not
 * the address has an account: the limit counts the address either way, a token is made either
 * way, and one write transaction runs either way (it stores the token and the mail only when
 * there is an account).
 */
export type ForgotPasswordInput = ForgotPasswordRequest & { client: ClientAddress };

export async function forgotPassword(options: {
  ctx: ServiceContext;
  input: ForgotPasswordInput;
}): Promise<MailQueuedResponse> {
  const { ctx, input } = options;
  await ctx.throttles.accountMail.consume(input.email, input.client.network);
  const now = ctx.now();
  const link = newLinkToken();
  const found = await ctx.store.requestPasswordReset({
    email: input.email,
    now: now.toISOString(),
    token: {
      tokenHash: link.hash,
      purpose: 'reset_password',
      expiresAt: expiresIn(now, LINK_TTL_MS.reset_password),
    },
    mail: (user) => [
      {
        userId: user.id,
        to: user.email,
        template: 'reset_password',
        params: { token: link.token, name: user.name },
      },
    ],
  });
  if (found) ctx.log.info('password reset requested');
  return { message: QUEUED };
}

/**
 * Sets the new password from a reset link and signs out every session, in one transaction
 * that also uses up the link and every other reset link of the account: of two resets racing,
 * exactly one wins.
 */
export type ResetPasswordInput = ResetPasswordRequest & { client: ClientAddress };

export async function resetPassword(options: {
  ctx: ServiceContext;
  input: ResetPasswordInput;
}): Promise<void> {
  const { ctx, input } = options;
  const tokenHash = hashLinkToken(input.token);
  const found = await ctx.store.findAccountToken({
    tokenHash,
    purpose: 'reset_password',
    now: ctx.now().toISOString(),
  });
  if (found.kind !== 'ok') throw linkError(found.kind, 'reset');
  const { user } = found.value;
  const passwordHash = await ctx.throttles.login.hashing.run(input.client.ip, async () => {
    await assertStrongPassword(input.newPassword, { email: user.email, name: user.name });
    return hashPassword(input.newPassword, ctx.config.bcryptCost);
  });
  const used = await ctx.store.useResetToken({
    tokenHash,
    userId: user.id,
    passwordHash,
    now: ctx.now().toISOString(),
  });
  if (used.kind !== 'ok') throw linkError(used.kind, 'reset');
  ctx.log.info({ userId: user.id }, 'password reset; every session revoked');
}
