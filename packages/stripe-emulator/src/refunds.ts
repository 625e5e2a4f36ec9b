import { createBalanceTransaction } from './balance.ts';
import {
  eventRequest,
  ok,
  pathParam,
  type ApiRequest,
  type ApiResult,
  type Ctx,
} from './context.ts';
import { successfulChargeOf } from './disputes.ts';
import { invalidRequest, parameterMissing, resourceMissing } from './errors.ts';
import { expandObject } from './expand.ts';
import { newId } from './ids.ts';
import { LIST_PARAMS, paginate } from './list.ts';
import {
  expandParam,
  formatAmount,
  optEnum,
  optInt,
  optMetadata,
  optString,
  rejectUnknown,
} from './params.ts';
import type { Refund } from './types.ts';

const CREATE_PARAMS = [
  'amount',
  'charge',
  'currency',
  'customer',
  'expand',
  'instructions_email',
  'metadata',
  'origin',
  'payment_intent',
  'reason',
  'refund_application_fee',
  'reverse_transfer',
];

export function createRefund(ctx: Ctx, req: ApiRequest): ApiResult {
  const p = req.params;
  rejectUnknown(p, CREATE_PARAMS);
  const chargeParam = optString(p, 'charge');
  const piParam = optString(p, 'payment_intent');
  const amountParam = optInt(p, 'amount', { min: 1 });
  const reason = optEnum(p, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer']);
  const metadata = optMetadata(p) ?? {};
  expandParam(p);
  if (chargeParam === undefined && piParam === undefined) {
    throw invalidRequest(
      'One of the following params should be provided for this request: payment_intent or charge.',
      {
        code: 'parameter_missing',
      },
    );
  }
  let chargeId: string;
  if (chargeParam !== undefined) {
    chargeId = chargeParam;
    const found = ctx.store.charges.get(chargeId);
    if (!found) throw resourceMissing('charge', chargeId, 'charge');
    if (piParam !== undefined && found.payment_intent !== piParam) {
      throw invalidRequest(`Charge ${chargeId} does not belong to PaymentIntent ${piParam}.`, {
        param: 'payment_intent',
      });
    }
  } else {
    chargeId = successfulChargeOf(ctx, piParam ?? '', 'payment_intent');
  }
  const charge = ctx.store.charges.get(chargeId);
  if (!charge) throw parameterMissing('charge');
  if (charge.status !== 'succeeded') {
    throw invalidRequest(`Charge ${chargeId} did not succeed and cannot be refunded.`, {
      param: 'charge',
      code: 'charge_not_refundable',
    });
  }
  if (charge.disputed) {
    throw invalidRequest(`Charge ${chargeId} has been charged back; cannot issue a refund.`, {
      param: 'charge',
      code: 'charge_disputed',
    });
  }
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining === 0) {
    throw invalidRequest(`Charge ${chargeId} has already been refunded.`, {
      param: 'charge',
      code: 'charge_already_refunded',
    });
  }
  const amount = amountParam ?? remaining;
  if (amount > remaining) {
    throw invalidRequest(
      `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
      { param: 'amount', code: 'amount_too_large' },
    );
  }

  const id = newId('re');
  const txn = createBalanceTransaction(ctx, {
    amount: -amount,
    currency: charge.currency,
    fee: 0,
    source: id,
    type: 'refund',
    reportingCategory: 'refund',
    description: 'REFUND FOR CHARGE',
  });
  const refund: Refund = {
    id,
    object: 'refund',
    amount,
    balance_transaction: txn.id,
    charge: charge.id,
    created: ctx.nowSeconds(),
    currency: charge.currency,
    destination_details: {
      card: {
        reference: null,
        reference_status: 'pending',
        reference_type: 'acquirer_reference_number',
        type: 'refund',
      },
      type: 'card',
    },
    metadata,
    payment_intent: charge.payment_intent,
    reason: reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  ctx.store.refunds.set(id, refund);
  ctx.store.track(id);

  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  const request = eventRequest(req);
  ctx.emit('charge.refunded', charge, request, previous);
  ctx.emit('refund.created', refund, request);
  return ok(expandObject(ctx.store, refund, expandParam(p)));
}

export function retrieveRefund(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, ['expand']);
  const id = pathParam(req);
  const refund = ctx.store.refunds.get(id);
  if (!refund) throw resourceMissing('refund', id);
  return ok(expandObject(ctx.store, refund, expandParam(req.params)));
}

export function listRefunds(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, [...LIST_PARAMS, 'charge', 'payment_intent']);
  const charge = optString(req.params, 'charge');
  const paymentIntent = optString(req.params, 'payment_intent');
  const list = paginate(ctx.store, ctx.store.refunds.values(), req.params, {
    url: '/v1/refunds',
    kind: 'refund',
    filter: (r) =>
      (charge === undefined || r.charge === charge) &&
      (paymentIntent === undefined || r.payment_intent === paymentIntent),
  });
  return ok(expandObject(ctx.store, list, expandParam(req.params)));
}
