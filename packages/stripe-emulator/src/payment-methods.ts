import { createHash } from 'node:crypto';
import { lookupCard, PAYMENT_METHOD_TOKENS, type TestCard } from './cards.ts';
import { ok, pathParam, type ApiRequest, type ApiResult, type Ctx } from './context.ts';
import { docUrl, invalidRequest, resourceMissing, StripeApiError } from './errors.ts';
import { expandObject } from './expand.ts';
import type { ParamObject } from './form.ts';
import { expandParam, optInt, optMetadata, optObject, optString, rejectUnknown } from './params.ts';
import { newId } from './ids.ts';
import type { BillingDetails, PaymentMethod } from './types.ts';

function cardInputError(code: string, message: string, param: string): StripeApiError {
  return new StripeApiError(402, {
    type: 'card_error',
    code,
    message,
    param,
    doc_url: docUrl(code),
  });
}

function fingerprint(number: string): string {
  return createHash('sha256').update(`emulator:${number}`).digest('base64url').slice(0, 16);
}

function billingDetails(input: ParamObject | undefined, prefix: string): BillingDetails {
  const details: BillingDetails = {
    address: {
      city: null,
      country: null,
      line1: null,
      line2: null,
      postal_code: null,
      state: null,
    },
    email: null,
    name: null,
    phone: null,
    tax_id: null,
  };
  if (!input) return details;
  rejectUnknown(input, ['address', 'email', 'name', 'phone', 'tax_id'], prefix);
  details.email = optString(input, 'email', { label: `${prefix}[email]` }) ?? null;
  details.name = optString(input, 'name', { label: `${prefix}[name]` }) ?? null;
  details.phone = optString(input, 'phone', { label: `${prefix}[phone]` }) ?? null;
  const address = optObject(input, 'address', `${prefix}[address]`);
  if (address) {
    const fields = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const;
    rejectUnknown(address, fields, `${prefix}[address]`);
    for (const field of fields) {
      details.address[field] =
        optString(address, field, { label: `${prefix}[address][${field}]` }) ?? null;
    }
  }
  return details;
}

function store(
  ctx: Ctx,
  card: TestCard,
  exp: { month: number; year: number },
  billing: BillingDetails,
  cvcProvided: boolean,
  metadata: Record<string, string>,
): PaymentMethod {
  const pm: PaymentMethod = {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billing,
    card: {
      brand: card.brand,
      checks: {
        address_line1_check: null,
        address_postal_code_check: null,
        cvc_check: cvcProvided ? 'pass' : 'unavailable',
      },
      country: card.country,
      display_brand: card.brand,
      exp_month: exp.month,
      exp_year: exp.year,
      fingerprint: fingerprint(card.number),
      funding: card.funding,
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: ctx.nowSeconds(),
    customer: null,
    livemode: false,
    metadata,
    type: 'card',
  };
  ctx.store.paymentMethods.set(pm.id, pm);
  ctx.store.cardOf.set(pm.id, card);
  ctx.store.track(pm.id);
  return pm;
}

function defaultExpiry(ctx: Ctx): { month: number; year: number } {
  return { month: 12, year: new Date(ctx.now()).getUTCFullYear() + 3 };
}

function fromCardData(ctx: Ctx, data: ParamObject, prefix: string): PaymentMethod {
  rejectUnknown(data, ['type', 'card', 'billing_details', 'metadata', 'allow_redisplay'], prefix);
  const type = optString(data, 'type', { label: `${prefix}[type]` });
  if (type === undefined)
    throw invalidRequest(`Missing required param: ${prefix}[type].`, {
      param: `${prefix}[type]`,
      code: 'parameter_missing',
    });
  if (type !== 'card') {
    throw invalidRequest(`The emulator only supports card payment methods, not '${type}'.`, {
      param: `${prefix}[type]`,
      code: 'payment_method_unsupported_type',
    });
  }
  const cardPrefix = `${prefix}[card]`;
  const card = optObject(data, 'card', cardPrefix);
  if (!card)
    throw invalidRequest(`Missing required param: ${cardPrefix}.`, {
      param: cardPrefix,
      code: 'parameter_missing',
    });
  rejectUnknown(card, ['number', 'exp_month', 'exp_year', 'cvc'], cardPrefix);
  const number = optString(card, 'number', { label: `${cardPrefix}[number]` });
  if (number === undefined) {
    throw invalidRequest(`Missing required param: ${cardPrefix}[number].`, {
      param: `${cardPrefix}[number]`,
      code: 'parameter_missing',
    });
  }
  const found = lookupCard(number);
  if (!found.ok) {
    throw cardInputError(
      'incorrect_number',
      'Your card number is incorrect.',
      `${cardPrefix}[number]`,
    );
  }
  const fallback = defaultExpiry(ctx);
  const month = optInt(card, 'exp_month', { label: `${cardPrefix}[exp_month]` }) ?? fallback.month;
  let year = optInt(card, 'exp_year', { label: `${cardPrefix}[exp_year]` }) ?? fallback.year;
  if (year < 100) year += 2000;
  if (month < 1 || month > 12) {
    throw cardInputError(
      'invalid_expiry_month',
      "Your card's expiration month is invalid.",
      `${cardPrefix}[exp_month]`,
    );
  }
  const today = new Date(ctx.now());
  const thisYear = today.getUTCFullYear();
  if (year < thisYear || year > thisYear + 50) {
    throw cardInputError(
      'invalid_expiry_year',
      "Your card's expiration year is invalid.",
      `${cardPrefix}[exp_year]`,
    );
  }
  if (year === thisYear && month < today.getUTCMonth() + 1) {
    throw cardInputError(
      'invalid_expiry_month',
      "Your card's expiration month is invalid.",
      `${cardPrefix}[exp_month]`,
    );
  }
  const cvc = optString(card, 'cvc', { label: `${cardPrefix}[cvc]` });
  if (cvc !== undefined && !/^\d{3,4}$/.test(cvc)) {
    throw cardInputError(
      'invalid_cvc',
      "Your card's security code is invalid.",
      `${cardPrefix}[cvc]`,
    );
  }
  const billing = billingDetails(
    optObject(data, 'billing_details', `${prefix}[billing_details]`),
    `${prefix}[billing_details]`,
  );
  const metadata = optMetadata(data, 'metadata') ?? {};
  return store(ctx, found.card, { month, year }, billing, cvc !== undefined, metadata);
}

/**
 * Turns `payment_method` (an id or a `pm_card_*` token) or `payment_method_data` into a stored
 * PaymentMethod. Tokens mint a fresh PaymentMethod each time, as they do on Stripe.
 */
export function resolvePaymentMethod(
  ctx: Ctx,
  input: { id?: string; data?: ParamObject },
): PaymentMethod {
  if (input.id !== undefined && input.data !== undefined) {
    throw invalidRequest(
      'You cannot specify both `payment_method` and `payment_method_data`. Please specify only one.',
      { param: 'payment_method_data' },
    );
  }
  if (input.data !== undefined) return fromCardData(ctx, input.data, 'payment_method_data');
  const id = input.id ?? '';
  const token = PAYMENT_METHOD_TOKENS[id];
  if (token !== undefined) {
    const found = lookupCard(token);
    if (!found.ok) throw new Error(`test token ${id} maps to an invalid number`);
    return store(ctx, found.card, defaultExpiry(ctx), billingDetails(undefined, ''), true, {});
  }
  const existing = ctx.store.paymentMethods.get(id);
  if (!existing) throw resourceMissing('PaymentMethod', id, 'payment_method');
  return existing;
}

/** Stores a PaymentMethod for a known test card number (used by control helpers). */
export function paymentMethodForNumber(ctx: Ctx, number: string): PaymentMethod {
  const found = lookupCard(number);
  if (!found.ok) throw new Error(`not a valid card number: ${number}`);
  return store(ctx, found.card, defaultExpiry(ctx), billingDetails(undefined, ''), true, {});
}

export function retrievePaymentMethod(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, ['expand']);
  const id = pathParam(req);
  const pm = ctx.store.paymentMethods.get(id);
  if (!pm) throw resourceMissing('PaymentMethod', id);
  return ok(expandObject(ctx.store, pm, expandParam(req.params)));
}
