import type { AdminActionResponse, ApprovalsResponse, ApprovalStatus } from '@app/shared';
import { AppError, notFound } from '../../errors.ts';
import { presentApproval, presentAudit } from '../../presenters/admin.ts';
import type { ServiceContext } from '../context.ts';
import { adjustmentOf, insufficient } from './adjust-credits.ts';
import { executeRefund } from './refund-payment.ts';
import { auditActor, requireAdmin, type StaffActor } from './staff.ts';

export async function listApprovals(options: {
  ctx: ServiceContext;
  input: { status?: ApprovalStatus; limit: number };
}): Promise<ApprovalsResponse> {
  const rows = await options.ctx.store.admin.listApprovals(options.input);
  return { approvals: rows.map(presentApproval) };
}

/**
 * Four eyes: a second admin approves or rejects a pending money action. The decision, its
 * audit entry and (for a grant or debit) the ledger effect with its own audit entry are one
 * transaction; the requester can never decide their own request (the database refuses it
 * too). An approved refund then goes to Stripe, keyed by the approval, so it happens once.
 */
export interface DecideApprovalInput {
  approvalId: string;
  approve: boolean;
  note: string;
}

export async function decideApproval(options: {
  ctx: ServiceContext;
  actor: StaffActor;
  input: DecideApprovalInput;
}): Promise<AdminActionResponse> {
  const { ctx, actor: staff, input } = options;
  requireAdmin(staff, 'decide approvals');
  const result = await ctx.store.admin.decideApproval({
    id: input.approvalId,
    actor: auditActor(staff),
    approve: input.approve,
    note: input.note,
    now: ctx.now().toISOString(),
    adjust: adjustmentOf,
  });
  switch (result.kind) {
    case 'not_found':
      throw notFound('Approval');
    case 'own_request':
      throw new AppError('FORBIDDEN', 'A second admin must decide your own request');
    case 'not_pending':
      throw new AppError('INVALID_STATE', `The request was already ${result.approval.status}`);
    case 'insufficient': {
      const approval = await ctx.store.admin.findApproval({ id: input.approvalId });
      throw insufficient(approval?.amount ?? 0, result.balance);
    }
  }
  const audit = result.audit.map(presentAudit);
  const { approval } = result;
  if (input.approve && approval.action === 'refund_payment' && approval.paymentId) {
    const payment = await ctx.store.findPayment({ id: approval.paymentId });
    if (!payment) throw notFound('Payment');
    const refund = await executeRefund({
      ctx,
      actor: staff,
      input: {
        payment,
        cents: approval.amount,
        reason: approval.reason,
        note: approval.note,
        operationId: approval.id,
        approvalId: approval.id,
      },
    });
    audit.push(presentAudit(refund));
  }
  return {
    status: 'applied',
    audit,
    approval: presentApproval(approval),
    balance: result.balance,
  };
}
