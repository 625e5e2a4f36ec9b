import type {
  ChangeEmailRequest,
  ChangeEmailResponse,
  ConfirmEmailChangeResponse,
  LinkTokenRequest,
} from '@app/shared';
import { AppError, validationError } from '../../errors.ts';
import type { Actor, ClientAddress, ServiceContext } from '../context.ts';
import { confirmPassword } from './confirm-password.ts';
import { expiresIn, hashLinkToken, LINK_TTL_MS, newLinkToken } from './link-tokens.ts';
import { linkError } from './link-errors.ts';

/**
 * Starts an email change: nothing changes until the link mailed to the new address is
 * opened; the current address is told at once, so a hijacked session cannot quietly move
 * the account (and its receipts and reset links) elsewhere.
 */
export type RequestEmailChangeInput = ChangeEmailRequest & { client: ClientAddress };

export async function requestEmailChange(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: RequestEmailChangeInput;
}): Promise<ChangeEmailResponse> {
  const { ctx, actor, input } = options;
  const user = await confirmPassword({
    ctx,
    actor,
    input: { password: input.currentPassword, field: 'currentPassword', client: input.client },
  });
  if (input.newEmail === user.email) {
    throw validationError('That is already your email address', [
      { path: 'newEmail', message: 'That is already your email address' },
    ]);
  }
  if (await ctx.store.findUserByEmail({ email: input.newEmail })) {
    throw new AppError('EMAIL_TAKEN', 'An account with this email already exists');
  }
  await ctx.throttles.accountMail.consume(input.newEmail, input.client.network);
  const now = ctx.now();
  const link = newLinkToken();
  await ctx.store.issueAccountToken({
    userId: user.id,
    now: now.toISOString(),
    token: {
      tokenHash: link.hash,
      purpose: 'change_email',
      email: input.newEmail,
      expiresAt: expiresIn(now, LINK_TTL_MS.change_email),
    },
    mail: [
      {
        userId: user.id,
        to: input.newEmail,
        template: 'change_email_verify',
        params: { token: link.token, name: user.name, newEmail: input.newEmail },
      },
      {
        userId: user.id,
        to: user.email,
        template: 'change_email_notice',
        params: { name: user.name, newEmail: input.newEmail },
      },
    ],
  });
  return {
    pendingEmail: input.newEmail,
    message: `Open the link we sent to ${input.newEmail} to finish the change.`,
  };
}

/** Opens an email-change link: the new address becomes the sign-in address, verified. */
export async function confirmEmailChange(options: {
  ctx: ServiceContext;
  input: LinkTokenRequest;
}): Promise<ConfirmEmailChangeResponse> {
  const { ctx } = options;
  const result = await ctx.store.useEmailChangeToken({
    tokenHash: hashLinkToken(options.input.token),
    now: ctx.now().toISOString(),
  });
  if (result.kind !== 'ok') throw linkError(result.kind, 'email change');
  ctx.log.info({ userId: result.value.id }, 'email address changed');
  return { email: result.value.email };
}
