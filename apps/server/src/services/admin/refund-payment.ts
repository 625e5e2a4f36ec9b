import Stripe from 'stripe';
import type { AdminActionResponse, AdminRefundRequest } from '@app/shared';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { presentApproval, presentAudit } from '../../presenters/admin.ts';
import type { AuditRecord } from '../../store/admin-types.ts';
import type { PaymentRecord } from '../../store/types.ts';
import type { ServiceContext } from '../context.ts';
import { providerError } from '../payments/provider-error.ts';
import { auditActor, refuseSelf, requireAdmin, type StaffActor } from './staff.ts';

/** Credits a further refund of `cents` claws back, by settlement's cumulative rule. */
export function creditsOfRefund(payment: PaymentRecord, cents: number): number {
  const share = (refunded: number) =>
    Math.floor((payment.credits * refunded) / payment.amountCents);
  return share(payment.amountRefundedCents + cents) - share(payment.amountRefundedCents);
}

function refundable(payment: PaymentRecord): number {
  if (!payment.credited || !payment.stripePaymentIntentId) return 0;
  return (payment.amountReceivedCents ?? payment.amountCents) - payment.amountRefundedCents;
}

/**
 * Refunds (part of) a payment through Stripe. The credits come back out when Stripe's
 * `charge.refunded` webhook arrives, through the same settlement as any refund, exactly once.
 * A refund worth more credits than the approval threshold waits for a second admin.
 */
export type RefundPaymentInput = AdminRefundRequest & { paymentId: string };

export async function refundPayment(options: {
  ctx: ServiceContext;
  actor: StaffActor;
  input: RefundPaymentInput;
}): Promise<AdminActionResponse> {
  const { ctx, actor: staff, input } = options;
  requireAdmin(staff, 'refund payments');
  const payment = await ctx.store.findPayment({ id: input.paymentId });
  if (!payment) throw notFound('Payment');
  refuseSelf(staff, payment.userId, 'refund a payment');
  const remaining = refundable(payment);
  if (remaining <= 0) {
    throw new AppError('INVALID_STATE', `Nothing left to refund (payment is ${payment.status})`);
  }
  const cents = input.amountCents ?? remaining;
  if (cents > remaining) {
    throw new AppError('VALIDATION_ERROR', `At most ${remaining} cents can still be refunded`, {
      remaining,
    });
  }
  if (creditsOfRefund(payment, cents) > ctx.config.admin.approvalThresholdCredits) {
    const { approval, audit } = await ctx.store.admin.requestApproval({
      id: newId(),
      actor: auditActor(staff),
      action: 'refund_payment',
      targetUserId: payment.userId,
      paymentId: payment.id,
      amount: cents,
      reason: input.reason,
      note: input.note,
      now: ctx.now().toISOString(),
    });
    return {
      status: 'pending_approval',
      audit: audit.map(presentAudit),
      approval: presentApproval(approval),
      balance: null,
    };
  }
  const audit = await executeRefund({
    ctx,
    actor: staff,
    input: {
      payment,
      cents,
      reason: input.reason,
      note: input.note,
      operationId: newId(),
      approvalId: null,
    },
  });
  return { status: 'applied', audit: [presentAudit(audit)], approval: null, balance: null };
}

/**
 * Asks Stripe for the refund and records the outcome in the audit log. The Stripe call cannot
 * sit inside a transaction, so the audit entry follows it: a refund Stripe refused is recorded
 * as `refund_payment_failed`. The idempotency key makes a retried request one refund.
 */
export interface ExecuteRefundInput {
  payment: PaymentRecord;
  cents: number;
  reason: AdminRefundRequest['reason'];
  note: string;
  /** Keys the Stripe refund, so a retried request is one refund. */
  operationId: string;
  approvalId: string | null;
}

export async function executeRefund(options: {
  ctx: ServiceContext;
  actor: StaffActor;
  input: ExecuteRefundInput;
}): Promise<AuditRecord> {
  const { ctx, input } = options;
  const { payment, cents } = input;
  const actor = auditActor(options.actor);
  const balance = (await ctx.store.getBalance({ userId: payment.userId }))?.creditBalance ?? null;
  const entry = {
    targetUserId: payment.userId,
    targetType: 'payment',
    targetId: payment.id,
    reason: input.reason,
    note: input.note,
    amount: cents,
    balanceBefore: balance,
    balanceAfter: balance,
    approvalId: input.approvalId,
  };
  let refund: Stripe.Refund;
  try {
    refund = await ctx.stripe.refunds.create(
      {
        payment_intent: payment.stripePaymentIntentId!,
        amount: cents,
        metadata: { payment_id: payment.id, admin_operation: input.operationId },
      },
      { idempotencyKey: `admin-refund-${input.operationId}` },
    );
  } catch (err) {
    await ctx.store.admin.recordAudit({
      actor,
      now: ctx.now().toISOString(),
      entry: {
        ...entry,
        action: 'refund_payment_failed',
        details: { error: err instanceof Error ? err.message.slice(0, 300) : 'unknown' },
      },
    });
    if (err instanceof Stripe.errors.StripeInvalidRequestError) {
      throw new AppError('INVALID_STATE', `Stripe refused the refund: ${err.message}`);
    }
    throw providerError(err);
  }
  return ctx.store.admin.recordAudit({
    actor,
    now: ctx.now().toISOString(),
    entry: {
      ...entry,
      action: 'refund_payment',
      details: {
        refundId: refund.id,
        refundStatus: refund.status,
        creditsToClawBack: creditsOfRefund(payment, cents),
      },
    },
  });
}
