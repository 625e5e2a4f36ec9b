import type { AdminActionResponse, AdminCreditRequest } from '@app/shared';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { presentApproval, presentAudit } from '../../presenters/admin.ts';
import type { ApprovalRecord, CreditAdjustment } from '../../store/admin-types.ts';
import type { ServiceContext } from '../context.ts';
import { auditActor, refuseSelf, requireAdmin, type StaffActor } from './staff.ts';

/**
 * The ledger effect of a grant or a debit. A debit may take the balance below zero only as a
 * chargeback: that is written as a `clawback`, the one entry type the ledger lets go negative.
 */
export function creditAdjustment(input: {
  action: 'grant_credits' | 'debit_credits';
  userId: string;
  amount: number;
  reason: AdminCreditRequest['reason'];
  note: string;
}): CreditAdjustment {
  const grant = input.action === 'grant_credits';
  const chargeback = !grant && input.reason === 'chargeback';
  return {
    action: input.action,
    userId: input.userId,
    amount: grant ? input.amount : -input.amount,
    entryType: chargeback ? 'clawback' : 'adjustment',
    description: grant
      ? `Credit from support (${input.reason})`
      : `Debit by support (${input.reason})`,
    reason: input.reason,
    note: input.note,
  };
}

/** The adjustment an approved request applies (null for refunds: they go through Stripe). */
export function adjustmentOf(approval: ApprovalRecord): CreditAdjustment | null {
  if (approval.action === 'refund_payment') return null;
  return creditAdjustment({
    action: approval.action,
    userId: approval.targetUserId,
    amount: approval.amount,
    reason: approval.reason,
    note: approval.note,
  });
}

/**
 * Grants credits (support: goodwill only, up to the configured limit) or debits a correction
 * (admins). Above the approval threshold the action becomes a pending request for a second
 * admin; otherwise it is applied now, with its audit entry, in one transaction.
 */
export type AdjustCreditsInput = AdminCreditRequest & {
  customerId: string;
  action: 'grant_credits' | 'debit_credits';
};

export async function adjustCredits(options: {
  ctx: ServiceContext;
  actor: StaffActor;
  input: AdjustCreditsInput;
}): Promise<AdminActionResponse> {
  const { ctx, actor: staff, input } = options;
  const { action } = input;
  const { supportGrantLimitCredits, approvalThresholdCredits } = ctx.config.admin;
  if (action === 'debit_credits') requireAdmin(staff, 'debit credits');
  if (staff.role === 'support') {
    if (input.reason !== 'goodwill') {
      throw new AppError('FORBIDDEN', 'Support can grant goodwill credits only');
    }
    if (input.amount > supportGrantLimitCredits) {
      throw new AppError(
        'FORBIDDEN',
        `Support can grant at most ${supportGrantLimitCredits} credits at a time`,
        { limit: supportGrantLimitCredits },
      );
    }
  }
  const customer = await ctx.store.findUserById({ id: input.customerId });
  if (!customer) throw notFound('Customer');
  if (customer.deletedAt) throw new AppError('INVALID_STATE', 'The account was deleted');
  refuseSelf(staff, customer.id, action === 'grant_credits' ? 'grant credits' : 'debit credits');
  const now = ctx.now().toISOString();
  const adjustment = creditAdjustment({
    action,
    userId: customer.id,
    amount: input.amount,
    reason: input.reason,
    note: input.note,
  });
  if (adjustment.entryType === 'adjustment' && customer.creditBalance + adjustment.amount < 0) {
    throw insufficient(input.amount, customer.creditBalance);
  }

  if (input.amount > approvalThresholdCredits) {
    const { approval, audit } = await ctx.store.admin.requestApproval({
      id: newId(),
      actor: auditActor(staff),
      action,
      targetUserId: customer.id,
      paymentId: null,
      amount: input.amount,
      reason: input.reason,
      note: input.note,
      now,
    });
    return {
      status: 'pending_approval',
      audit: audit.map(presentAudit),
      approval: presentApproval(approval),
      balance: null,
    };
  }

  const result = await ctx.store.admin.adjustCredits({
    actor: auditActor(staff),
    adjustment,
    now,
  });
  if (result.kind === 'no_user') throw notFound('Customer');
  if (result.kind === 'insufficient') throw insufficient(input.amount, result.balance);
  return {
    status: 'applied',
    audit: result.audit.map(presentAudit),
    approval: null,
    balance: result.balance,
  };
}

export function insufficient(required: number, balance: number): AppError {
  return new AppError(
    'INSUFFICIENT_CREDITS',
    'A correction may not take the balance below zero (only a chargeback may)',
    { required, balance, shortfall: required - balance },
  );
}
