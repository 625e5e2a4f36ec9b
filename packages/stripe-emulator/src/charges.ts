import { cardFee, createBalanceTransaction } from './balance.ts';
import type { Decline } from './cards.ts';
import { ok, pathParam, type ApiRequest, type ApiResult, type Ctx } from './context.ts';
import { resourceMissing } from './errors.ts';
import { expandObject } from './expand.ts';
import { newId, randomToken } from './ids.ts';
import { LIST_PARAMS, paginate } from './list.ts';
import { expandParam, optString, rejectUnknown } from './params.ts';
import type { Charge, PaymentIntent, PaymentMethod } from './types.ts';

/** Creates the Charge for one payment attempt: succeeded, or failed with `decline`. */
export function createCharge(
  ctx: Ctx,
  pi: PaymentIntent,
  pm: PaymentMethod,
  opts: { decline?: Decline; threeDSecure: boolean },
): Charge {
  const { decline } = opts;
  const id = newId('ch');
  const succeeded = decline === undefined;
  const charge: Charge = {
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: succeeded ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: structuredClone(pm.billing_details),
    calculated_statement_descriptor: pi.statement_descriptor ?? 'STRIPE EMULATOR',
    captured: succeeded,
    created: ctx.nowSeconds(),
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: decline?.code ?? null,
    failure_message: decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: null,
    outcome: succeeded
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          risk_score: 20,
          seller_message: 'Payment complete.',
          type: 'authorized',
        }
      : {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status:
            decline.outcomeType === 'blocked' ? 'approved_by_network' : 'declined_by_network',
          reason: decline.declineCode,
          risk_level: decline.outcomeType === 'blocked' ? 'highest' : 'normal',
          risk_score: decline.outcomeType === 'blocked' ? 95 : 20,
          seller_message: decline.sellerMessage,
          type: decline.outcomeType,
        },
    paid: succeeded,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: {
      card: {
        amount_authorized: succeeded ? pi.amount : null,
        brand: pm.card.brand,
        checks: structuredClone(pm.card.checks),
        country: pm.card.country,
        exp_month: pm.card.exp_month,
        exp_year: pm.card.exp_year,
        fingerprint: pm.card.fingerprint,
        funding: pm.card.funding,
        last4: pm.card.last4,
        network: pm.card.brand,
        networks: structuredClone(pm.card.networks),
        regulated_status: 'unregulated',
        three_d_secure: opts.threeDSecure
          ? { authentication_flow: 'challenge', result: 'authenticated', version: '2.2.0' }
          : null,
        wallet: null,
      },
      type: 'card',
    },
    radar_options: {},
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: pi.statement_descriptor,
    statement_descriptor_suffix: pi.statement_descriptor_suffix,
    status: succeeded ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: pi.transfer_group,
  };
  if (succeeded) {
    const token = randomToken(48);
    ctx.store.receipts.set(token, id);
    charge.receipt_url = `${ctx.receiptBase()}/receipts/payment/${token}`;
    charge.balance_transaction = createBalanceTransaction(ctx, {
      amount: pi.amount,
      currency: pi.currency,
      fee: cardFee(pi.amount),
      source: id,
      type: 'charge',
      reportingCategory: 'charge',
      description: pi.description,
    }).id;
  }
  ctx.store.charges.set(id, charge);
  ctx.store.track(id);
  return charge;
}

export function retrieveCharge(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, ['expand']);
  const id = pathParam(req);
  const charge = ctx.store.charges.get(id);
  if (!charge) throw resourceMissing('charge', id);
  return ok(expandObject(ctx.store, charge, expandParam(req.params)));
}

export function listCharges(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, [...LIST_PARAMS, 'payment_intent', 'customer', 'transfer_group']);
  const paymentIntent = optString(req.params, 'payment_intent');
  const customer = optString(req.params, 'customer');
  const list = paginate(ctx.store, ctx.store.charges.values(), req.params, {
    url: '/v1/charges',
    kind: 'charge',
    filter: (c) =>
      (paymentIntent === undefined || c.payment_intent === paymentIntent) &&
      (customer === undefined || c.customer === customer),
  });
  return ok(expandObject(ctx.store, list, expandParam(req.params)));
}
