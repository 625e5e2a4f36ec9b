import type { AdminAccountActionRequestSchema, AdminActionResponse } from '@app/shared';
import type { z } from 'zod';
import { AppError, notFound } from '../../errors.ts';
import { presentAudit } from '../../presenters/admin.ts';
import type { ServiceContext } from '../context.ts';
import { auditActor, refuseSelf, requireAdmin, type StaffActor } from './staff.ts';

type Input = z.output<typeof AdminAccountActionRequestSchema>;

/** Signs the customer out everywhere: every token they hold stops working at once. */
export async function revokeSessions(options: {
  ctx: ServiceContext;
  staff: StaffActor;
  customerId: string;
  input: Input;
}): Promise<AdminActionResponse & { revoked: number }> {
  const { ctx, staff, input } = options;
  requireAdmin(staff, 'revoke sessions');
  const result = await ctx.store.admin.revokeSessions({
    userId: options.customerId,
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
  staff: StaffActor;
  customerId: string;
  disabled: boolean;
  input: Input;
}): Promise<AdminActionResponse> {
  const { ctx, staff, input } = options;
  requireAdmin(staff, options.disabled ? 'disable accounts' : 'enable accounts');
  refuseSelf(staff, options.customerId, 'change the status');
  const result = await ctx.store.admin.setDisabled({
    userId: options.customerId,
    disabled: options.disabled,
    actor: auditActor(staff),
    reason: input.reason,
    note: input.note,
    now: ctx.now().toISOString(),
  });
  if (!result) throw notFound('Customer');
  if (result === 'unchanged') {
    throw new AppError(
      'INVALID_STATE',
      options.disabled ? 'The account is already disabled' : 'The account is not disabled',
    );
  }
  return {
    status: 'applied',
    audit: result.audit.map(presentAudit),
    approval: null,
    balance: result.user.creditBalance,
  };
}
