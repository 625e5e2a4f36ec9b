import { createBalanceTransaction } from './balance.ts';
import { ok, pathParam, type ApiRequest, type ApiResult, type Ctx } from './context.ts';
import { invalidRequest, resourceMissing } from './errors.ts';
import { expandObject } from './expand.ts';
import { newId } from './ids.ts';
import { LIST_PARAMS, paginate } from './list.ts';
import { expandParam, optString, rejectUnknown } from './params.ts';
import type { Dispute, DisputeStatus, EventRequest } from './types.ts';

export const DISPUTE_REASONS = [
  'bank_cannot_process',
  'check_returned',
  'credit_not_processed',
  'customer_initiated',
  'debit_not_authorized',
  'duplicate',
  'fraudulent',
  'general',
  'incorrect_account_details',
  'insufficient_funds',
  'noncompliant',
  'product_not_received',
  'product_unacceptable',
  'subscription_canceled',
  'unrecognized',
] as const;

const OPEN: DisputeStatus[] = [
  'needs_response',
  'under_review',
  'warning_needs_response',
  'warning_under_review',
];

const EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
];

/** Stripe charges a flat fee when a dispute is opened (USD 15.00). */
const DISPUTE_FEE = 1500;

export function createDisputeForCharge(
  ctx: Ctx,
  chargeId: string,
  opts: { reason?: string; amount?: number },
  request: EventRequest,
): Dispute {
  const charge = ctx.store.charges.get(chargeId);
  if (!charge) throw resourceMissing('charge', chargeId, 'charge');
  if (charge.status !== 'succeeded') {
    throw invalidRequest(`Charge ${chargeId} did not succeed and cannot be disputed.`, {
      param: 'charge',
    });
  }
  if (charge.disputed) {
    throw invalidRequest(`Charge ${chargeId} already has a dispute.`, { param: 'charge' });
  }
  const reason = opts.reason ?? 'fraudulent';
  if (!(DISPUTE_REASONS as readonly string[]).includes(reason)) {
    throw invalidRequest(`Invalid reason: must be one of ${DISPUTE_REASONS.join(', ')}`, {
      param: 'reason',
    });
  }
  // Customers can dispute a charge even after it was refunded; the disputed amount is usually
  // the whole charge.
  const amount = opts.amount ?? charge.amount;
  if (!Number.isInteger(amount) || amount < 1 || amount > charge.amount) {
    throw invalidRequest(`Dispute amount must be between 1 and ${charge.amount}.`, {
      param: 'amount',
    });
  }
  const id = newId('dp');
  const created = ctx.nowSeconds();
  const withdrawal = createBalanceTransaction(ctx, {
    amount: -amount,
    currency: charge.currency,
    fee: DISPUTE_FEE,
    source: id,
    type: 'adjustment',
    reportingCategory: 'dispute',
    description: `Chargeback withdrawal for ${charge.id}`,
  });
  const dispute: Dispute = {
    id,
    object: 'dispute',
    amount,
    balance_transactions: [structuredClone(withdrawal)],
    charge: charge.id,
    created,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: Object.fromEntries(EVIDENCE_FIELDS.map((f) => [f, null])),
    evidence_details: {
      due_by: created + 7 * 86400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: {
      card: {
        brand: charge.payment_method_details.card.brand,
        case_type: 'chargeback',
        network_reason_code: reason === 'fraudulent' ? '10.4' : '13.1',
      },
      type: 'card',
    },
    reason,
    status: 'needs_response',
  };
  ctx.store.disputes.set(id, dispute);
  ctx.store.track(id);
  charge.disputed = true;
  ctx.emit('charge.dispute.created', dispute, request);
  return dispute;
}

/** Resolves a PaymentIntent to its successful charge, for disputes and refunds by PI. */
export function successfulChargeOf(ctx: Ctx, paymentIntentId: string, param: string): string {
  const pi = ctx.store.paymentIntents.get(paymentIntentId);
  if (!pi) throw resourceMissing('payment_intent', paymentIntentId, param);
  const charge = pi.latest_charge ? ctx.store.charges.get(pi.latest_charge) : undefined;
  if (pi.status !== 'succeeded' || !charge || charge.status !== 'succeeded') {
    throw invalidRequest(
      `This PaymentIntent (${paymentIntentId}) does not have a successful charge.`,
      { param },
    );
  }
  return charge.id;
}

export function closeDisputeNow(
  ctx: Ctx,
  disputeId: string,
  outcome: 'won' | 'lost',
  request: EventRequest,
): Dispute {
  const dispute = ctx.store.disputes.get(disputeId);
  if (!dispute) throw resourceMissing('dispute', disputeId);
  if (outcome !== 'won' && outcome !== 'lost') {
    throw invalidRequest('outcome must be won or lost', { param: 'outcome' });
  }
  if (!OPEN.includes(dispute.status)) {
    throw invalidRequest(`Dispute ${disputeId} is already closed (${dispute.status}).`, {
      param: 'id',
    });
  }
  const previous = { status: dispute.status };
  dispute.status = outcome;
  if (outcome === 'won') {
    const reinstatement = createBalanceTransaction(ctx, {
      amount: dispute.amount,
      currency: dispute.currency,
      fee: 0,
      source: dispute.id,
      type: 'adjustment',
      reportingCategory: 'dispute_reversal',
      description: `Chargeback reversal for ${dispute.charge}`,
    });
    dispute.balance_transactions.push(structuredClone(reinstatement));
  }
  ctx.emit('charge.dispute.closed', dispute, request, previous);
  return dispute;
}

export function retrieveDispute(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, ['expand']);
  const id = pathParam(req);
  const dispute = ctx.store.disputes.get(id);
  if (!dispute) throw resourceMissing('dispute', id);
  return ok(expandObject(ctx.store, dispute, expandParam(req.params)));
}

export function listDisputes(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, [...LIST_PARAMS, 'charge', 'payment_intent']);
  const charge = optString(req.params, 'charge');
  const paymentIntent = optString(req.params, 'payment_intent');
  const list = paginate(ctx.store, ctx.store.disputes.values(), req.params, {
    url: '/v1/disputes',
    kind: 'dispute',
    filter: (d) =>
      (charge === undefined || d.charge === charge) &&
      (paymentIntent === undefined || d.payment_intent === paymentIntent),
  });
  return ok(expandObject(ctx.store, list, expandParam(req.params)));
}
