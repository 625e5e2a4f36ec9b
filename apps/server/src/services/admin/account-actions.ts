import type { AdminAccountActionRequestSchema, AdminActionResponse } from '@app/shared';
import type { z } from 'zod';
import { AppError, notFound } from '../../errors.ts';
import { presentAudit } from '../../presenters/admin.ts';
import type { ServiceContext } from '../context.ts';
import { auditActor, refuseSelf, requireAdmin, type StaffActor } from './staff.ts';

export type AccountActionInput = z.output<typeof AdminAccountActionRequestSchema> & {
  customerId: string;
};

/** Signs the customer out everywhere: every token they hold stops working at once. */
export async function revokeSessions(options: {
  ctx: ServiceContext;
  actor: StaffActor;
  input: AccountActionInput;
}): Promise<AdminActionResponse & { revoked: number }> {
  const { ctx, actor: staff, input } = options;
  requireAdmin(staff, 'revoke sessions');
  const result = await ctx.store.admin.revokeSessions({
    userId: input.customerId,
    actor: auditActor(staff),
    reason: input.reason,
    note: input.note,
    now: ctx.now().toISOString(),
  });
  if (!result) throw notFound('Customer');
  return {
    status: 'applied',
    audit: result.audit.map(presentAudit),
    approval: null,
    balance: null,
    revoked: result.revoked,
  };
}

/**
 * Disables an account (no sign-in, no spending, no buying; its sessions end now) or enables
 * it again. Payments already under way still settle through the webhook.
 */
export async function setAccountDisabled(options: {
  ctx: ServiceContext;
  actor: StaffActor;
  input: AccountActionInput & { disabled: boolean };
}): Promise<AdminActionResponse> {
  const { ctx, actor: staff, input } = options;
  requireAdmin(staff, input.disabled ? 'disable accounts' : 'enable accounts');
  refuseSelf(staff, input.customerId, 'change the status');
  const result = await ctx.store.admin.setDisabled({
    userId: input.customerId,
    disabled: input.disabled,
    actor: auditActor(staff),
    reason: input.reason,
    note: input.note,
    now: ctx.now().toISOString(),
  });
  if (!result) throw notFound('Customer');
  if (result === 'unchanged') {
    throw new AppError(
      'INVALID_STATE',
      input.disabled ? 'The account is already disabled' : 'The account is not disabled',
    );
  }
  return {
    status: 'applied',
    audit: result.audit.map(presentAudit),
    approval: null,
    balance: result.user.creditBalance,
  };
}
