import type { LinkTokenRequest, MailQueuedResponse, VerifyEmailResponse } from '@app/shared';
import { AppError, unauthorized } from '../../errors.ts';
import type { Actor, ClientAddress, ServiceContext } from '../context.ts';
import { expiresIn, hashLinkToken, LINK_TTL_MS, newLinkToken } from './link-tokens.ts';
import { linkError } from './link-errors.ts';

/**
 * Opens a verification link. The token alone names the account: whoever is signed in in the
 * browser (perhaps someone else) is neither changed nor signed in as its owner, and the
 * answer carries nothing about the account.
 */
export async function verifyEmail(options: {
  ctx: ServiceContext;
  input: LinkTokenRequest;
}): Promise<VerifyEmailResponse> {
  const { ctx } = options;
  const result = await ctx.store.useVerificationToken({
    tokenHash: hashLinkToken(options.input.token),
    now: ctx.now().toISOString(),
  });
  if (result.kind !== 'ok') throw linkError(result.kind, 'verification');
  ctx.log.info({ userId: result.value.id }, 'email verified');
  return { verified: true };
}

/** Mails a fresh verification link to the signed-in user's address. */
export async function resendVerification(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: { client: ClientAddress };
}): Promise<MailQueuedResponse> {
  const { ctx, input } = options;
  const user = await ctx.store.findUserById({ id: options.actor.userId });
  if (!user || user.deletedAt) throw unauthorized();
  if (user.emailVerifiedAt)
    throw new AppError('INVALID_STATE', 'Your email address is already verified');
  await ctx.throttles.accountMail.consume(user.email, input.client.network);
  const now = ctx.now();
  const link = newLinkToken();
  await ctx.store.issueAccountToken({
    userId: user.id,
    now: now.toISOString(),
    token: {
      tokenHash: link.hash,
      purpose: 'verify_email',
      email: user.email,
      expiresAt: expiresIn(now, LINK_TTL_MS.verify_email),
    },
    mail: [
      {
        userId: user.id,
        to: user.email,
        template: 'verify_email',
        params: { token: link.token, name: user.name },
      },
    ],
  });
  return { message: `A new verification link is on its way to ${user.email}.` };
}
