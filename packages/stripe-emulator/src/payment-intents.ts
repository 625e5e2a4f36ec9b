import { DECLINES, type Decline } from './cards.ts';
import { createCharge } from './charges.ts';
import {
  eventRequest,
  ok,
  pathParam,
  type ApiRequest,
  type ApiResult,
  type Ctx,
  type KeyKind,
} from './context.ts';
import { createDisputeForCharge } from './disputes.ts';
import {
  docUrl,
  invalidRequest,
  parameterMissing,
  resourceMissing,
  StripeApiError,
  unexpectedState,
} from './errors.ts';
import { expandObject } from './expand.ts';
import { newId, randomToken } from './ids.ts';
import { LIST_PARAMS, paginate } from './list.ts';
import {
  expandParam,
  formatAmount,
  optBool,
  optEnum,
  optMetadata,
  optObject,
  optString,
  optStringArray,
  rejectUnknown,
  reqInt,
  reqString,
} from './params.ts';
import { paymentMethodForNumber, resolvePaymentMethod } from './payment-methods.ts';
import type { EventRequest, PaymentIntent, PaymentIntentStatus, PaymentMethod } from './types.ts';

// Every parameter Stripe accepts on these endpoints is allowed, even the ones the emulator does
// not model, so that real integration code is never rejected for a valid request.
const CREATE_PARAMS = [
  'amount',
  'currency',
  'allowed_payment_method_types',
  'amount_details',
  'application_fee_amount',
  'automatic_payment_methods',
  'capture_method',
  'confirm',
  'confirmation_method',
  'confirmation_token',
  'customer',
  'customer_account',
  'description',
  'error_on_requires_action',
  'excluded_payment_method_types',
  'expand',
  'hooks',
  'mandate',
  'mandate_data',
  'metadata',
  'off_session',
  'on_behalf_of',
  'payment_details',
  'payment_method',
  'payment_method_configuration',
  'payment_method_data',
  'payment_method_options',
  'payment_method_types',
  'radar_options',
  'receipt_email',
  'return_url',
  'setup_future_usage',
  'shipping',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_data',
  'transfer_group',
  'use_stripe_sdk',
];
const CONFIRM_PARAMS = [
  'allowed_payment_method_types',
  'amount_details',
  'amount_to_confirm',
  'capture_method',
  'client_secret',
  'confirmation_token',
  'error_on_requires_action',
  'excluded_payment_method_types',
  'expand',
  'hooks',
  'mandate',
  'mandate_data',
  'off_session',
  'payment_details',
  'payment_method',
  'payment_method_data',
  'payment_method_options',
  'payment_method_types',
  'radar_options',
  'receipt_email',
  'return_url',
  'setup_future_usage',
  'shipping',
  'use_stripe_sdk',
];
const CONFIRMABLE: PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
];
const CANCELABLE: PaymentIntentStatus[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];
// What Stripe returns when a PaymentIntent is read with a publishable key.
const PUBLIC_FIELDS = [
  'id',
  'object',
  'amount',
  'amount_details',
  'automatic_payment_methods',
  'canceled_at',
  'cancellation_reason',
  'capture_method',
  'client_secret',
  'confirmation_method',
  'created',
  'currency',
  'description',
  'last_payment_error',
  'livemode',
  'next_action',
  'payment_method',
  'payment_method_types',
  'processing',
  'receipt_email',
  'setup_future_usage',
  'shipping',
  'source',
  'status',
] as const;

export function viewFor(kind: KeyKind, pi: PaymentIntent): Record<string, unknown> {
  const copy = structuredClone(pi) as unknown as Record<string, unknown>;
  if (kind === 'secret') return copy;
  const out: Record<string, unknown> = {};
  for (const field of PUBLIC_FIELDS) out[field] = copy[field];
  return out;
}

function render(ctx: Ctx, req: ApiRequest, pi: PaymentIntent): Record<string, unknown> {
  if (req.keyKind === 'publishable') return viewFor('publishable', pi);
  return expandObject(ctx.store, pi, expandParam(req.params));
}

function getPaymentIntent(ctx: Ctx, id: string): PaymentIntent {
  const pi = ctx.store.paymentIntents.get(id);
  if (!pi) throw resourceMissing('payment_intent', id);
  return pi;
}

function checkClientSecret(req: ApiRequest, pi: PaymentIntent): void {
  const secret = optString(req.params, 'client_secret');
  if (secret === undefined && req.keyKind === 'secret') return;
  if (secret === undefined) throw parameterMissing('client_secret');
  if (secret !== pi.client_secret) {
    throw invalidRequest(
      'The client_secret provided does not match the client_secret associated with the PaymentIntent.',
      { param: 'client_secret', code: 'payment_intent_invalid_parameter' },
    );
  }
}

function cardErrorFor(
  req: ApiRequest | null,
  pi: PaymentIntent,
  decline: Decline,
  chargeId: string,
  pm: PaymentMethod,
): StripeApiError {
  return new StripeApiError(402, {
    type: 'card_error',
    code: decline.code,
    decline_code: decline.declineCode,
    message: decline.message,
    doc_url: docUrl(decline.code),
    charge: chargeId,
    payment_intent: viewFor(req?.keyKind ?? 'secret', pi),
    payment_method: structuredClone(pm) as unknown as Record<string, unknown>,
  });
}

function succeed(
  ctx: Ctx,
  pi: PaymentIntent,
  pm: PaymentMethod,
  request: EventRequest,
  threeDSecure: boolean,
): void {
  const charge = createCharge(ctx, pi, pm, { threeDSecure });
  pi.status = 'succeeded';
  pi.amount_received = pi.amount;
  pi.amount_capturable = 0;
  pi.latest_charge = charge.id;
  pi.payment_method = pm.id;
  pi.next_action = null;
  pi.last_payment_error = null;
  ctx.emit('charge.succeeded', charge, request);
  ctx.emit('payment_intent.succeeded', pi, request);
}

function fail(
  ctx: Ctx,
  pi: PaymentIntent,
  pm: PaymentMethod,
  decline: Decline,
  request: EventRequest,
  threeDSecure: boolean,
): string {
  const charge = createCharge(ctx, pi, pm, { decline, threeDSecure });
  pi.status = 'requires_payment_method';
  pi.latest_charge = charge.id;
  // Stripe detaches a failed PaymentMethod so the customer has to supply a new one.
  pi.payment_method = null;
  pi.next_action = null;
  pi.last_payment_error = {
    type: 'card_error',
    code: decline.code,
    decline_code: decline.declineCode,
    message: decline.message,
    doc_url: docUrl(decline.code),
    charge: charge.id,
    payment_method: structuredClone(pm),
  };
  ctx.emit('charge.failed', charge, request);
  ctx.emit('payment_intent.payment_failed', pi, request);
  return charge.id;
}

/** Runs one payment attempt; returns the decline (and its charge) if the card was declined. */
function attempt(
  ctx: Ctx,
  pi: PaymentIntent,
  pm: PaymentMethod,
  request: EventRequest,
  opts: { authenticated: boolean; offSession: boolean },
): { decline: Decline; chargeId: string } | null {
  let behavior = ctx.store.cardOf.get(pm.id)?.behavior ?? { kind: 'succeed' as const };
  let threeDSecure = false;
  if (behavior.kind === 'authenticate') {
    if (opts.authenticated) {
      threeDSecure = true;
      behavior = behavior.then;
    } else if (opts.offSession) {
      // No customer is present to authenticate, so Stripe declines instead of asking.
      behavior = DECLINES.authenticationRequired;
    } else {
      pi.status = 'requires_action';
      pi.payment_method = pm.id;
      pi.last_payment_error = null;
      pi.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'emulator_3ds' } };
      ctx.emit('payment_intent.requires_action', pi, request);
      return null;
    }
  }
  if (behavior.kind === 'decline') {
    const chargeId = fail(ctx, pi, pm, behavior.decline, request, threeDSecure);
    return { decline: behavior.decline, chargeId };
  }
  succeed(ctx, pi, pm, request, threeDSecure);
  if (behavior.kind === 'succeed_then_dispute' && pi.latest_charge) {
    createDisputeForCharge(ctx, pi.latest_charge, { reason: 'fraudulent' }, request);
  }
  return null;
}

function confirmWith(
  ctx: Ctx,
  req: ApiRequest,
  pi: PaymentIntent,
  pm: PaymentMethod,
  offSession: boolean,
): ApiResult {
  const declined = attempt(ctx, pi, pm, eventRequest(req), { authenticated: false, offSession });
  if (declined) throw cardErrorFor(req, pi, declined.decline, declined.chargeId, pm);
  return ok(render(ctx, req, pi));
}

function offSessionParam(req: ApiRequest): boolean {
  const raw = req.params.off_session;
  if (raw === undefined || raw === '' || raw === null) return false;
  return raw !== 'false' && raw !== false;
}

function missingPaymentMethod(pi?: PaymentIntent): StripeApiError {
  return unexpectedState(
    "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, specify a payment method with `payment_method` or `payment_method_data`.",
    pi ? viewFor('secret', pi) : undefined,
  );
}

export function createPaymentIntent(ctx: Ctx, req: ApiRequest): ApiResult {
  const p = req.params;
  rejectUnknown(p, CREATE_PARAMS);
  const currency = reqString(p, 'currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) {
    throw invalidRequest(`Invalid currency: ${currency}.`, { param: 'currency' });
  }
  const amount = reqInt(p, 'amount');
  if (amount < 50) {
    throw invalidRequest(`Amount must be at least ${formatAmount(50, currency)}`, {
      param: 'amount',
      code: 'amount_too_small',
    });
  }
  if (amount > 99_999_999) {
    throw invalidRequest(`Amount must be no more than ${formatAmount(99_999_999, currency)}`, {
      param: 'amount',
      code: 'amount_too_large',
    });
  }
  const apm = optObject(p, 'automatic_payment_methods');
  let automatic: PaymentIntent['automatic_payment_methods'] = null;
  if (apm) {
    rejectUnknown(apm, ['enabled', 'allow_redirects'], 'automatic_payment_methods');
    const enabled = optBool(apm, 'enabled', 'automatic_payment_methods[enabled]');
    if (enabled === undefined) throw parameterMissing('automatic_payment_methods[enabled]');
    const redirects = optEnum(
      apm,
      'allow_redirects',
      ['always', 'never'],
      'automatic_payment_methods[allow_redirects]',
    );
    automatic = enabled ? { allow_redirects: redirects ?? 'always', enabled } : { enabled };
  }
  const types =
    optStringArray(p, 'payment_method_types') ?? optStringArray(p, 'allowed_payment_method_types');
  if (types && automatic?.enabled) {
    throw invalidRequest(
      'You may only specify one of these parameters: automatic_payment_methods, payment_method_types.',
      { param: 'automatic_payment_methods', code: 'parameters_exclusive' },
    );
  }
  const captureMethod =
    optEnum(p, 'capture_method', ['automatic', 'automatic_async', 'manual']) ?? 'automatic_async';
  if (captureMethod === 'manual') {
    throw invalidRequest('The Stripe emulator does not support capture_method=manual.', {
      param: 'capture_method',
    });
  }
  const confirmationMethod =
    optEnum(p, 'confirmation_method', ['automatic', 'manual']) ?? 'automatic';
  const setupFutureUsage = optEnum(p, 'setup_future_usage', ['off_session', 'on_session']);
  const metadata = optMetadata(p) ?? {};
  const description = optString(p, 'description', { maxLength: 1000 });
  const receiptEmail = optString(p, 'receipt_email', { maxLength: 800 });
  const customer = optString(p, 'customer');
  const statementDescriptor = optString(p, 'statement_descriptor', { maxLength: 22 });
  const statementSuffix = optString(p, 'statement_descriptor_suffix', { maxLength: 22 });
  const transferGroup = optString(p, 'transfer_group');
  const confirm = optBool(p, 'confirm') ?? false;
  const pmId = optString(p, 'payment_method');
  const pmData = optObject(p, 'payment_method_data');
  expandParam(p);
  if (confirm && pmId === undefined && pmData === undefined) throw missingPaymentMethod();

  // Card data is validated before the PaymentIntent exists, so a bad number leaves nothing behind.
  const pm =
    pmId !== undefined || pmData !== undefined
      ? resolvePaymentMethod(ctx, { id: pmId, data: pmData })
      : null;

  const id = newId('pi');
  const pi: PaymentIntent = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: types ?? null,
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: automatic,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: captureMethod,
    client_secret: `${id}_secret_${randomToken(25)}`,
    confirmation_method: confirmationMethod,
    created: ctx.nowSeconds(),
    currency,
    customer: customer ?? null,
    description: description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: pm?.id ?? null,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: {
        installments: null,
        mandate_options: null,
        network: null,
        request_three_d_secure: 'automatic',
      },
    },
    payment_method_types: types ?? ['card'],
    processing: null,
    receipt_email: receiptEmail ?? null,
    review: null,
    setup_future_usage: setupFutureUsage ?? null,
    shipping: null,
    source: null,
    statement_descriptor: statementDescriptor ?? null,
    statement_descriptor_suffix: statementSuffix ?? null,
    status: pm ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: transferGroup ?? null,
  };
  ctx.store.paymentIntents.set(id, pi);
  ctx.store.track(id);
  ctx.emit('payment_intent.created', pi, eventRequest(req));
  if (confirm && pm) return confirmWith(ctx, req, pi, pm, offSessionParam(req));
  return ok(render(ctx, req, pi));
}

export function retrievePaymentIntent(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, ['client_secret', 'expand']);
  const pi = getPaymentIntent(ctx, pathParam(req));
  checkClientSecret(req, pi);
  return ok(render(ctx, req, pi));
}

export function listPaymentIntents(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, [...LIST_PARAMS, 'customer', 'customer_account']);
  const customer = optString(req.params, 'customer');
  const list = paginate(ctx.store, ctx.store.paymentIntents.values(), req.params, {
    url: '/v1/payment_intents',
    kind: 'payment_intent',
    filter: (pi) => customer === undefined || pi.customer === customer,
  });
  return ok(expandObject(ctx.store, list, expandParam(req.params)));
}

export function confirmPaymentIntent(ctx: Ctx, req: ApiRequest): ApiResult {
  const p = req.params;
  rejectUnknown(p, CONFIRM_PARAMS);
  const pi = getPaymentIntent(ctx, pathParam(req));
  checkClientSecret(req, pi);
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
      viewFor(req.keyKind, pi),
    );
  }
  const receiptEmail = optString(p, 'receipt_email', { maxLength: 800 });
  const pmId = optString(p, 'payment_method');
  const pmData = optObject(p, 'payment_method_data');
  expandParam(p);
  let pm: PaymentMethod | undefined;
  if (pmId !== undefined || pmData !== undefined) {
    pm = resolvePaymentMethod(ctx, { id: pmId, data: pmData });
  } else if (pi.payment_method) {
    pm = ctx.store.paymentMethods.get(pi.payment_method);
  }
  if (!pm) throw missingPaymentMethod(pi);
  if (receiptEmail !== undefined) pi.receipt_email = receiptEmail;
  pi.payment_method = pm.id;
  return confirmWith(ctx, req, pi, pm, offSessionParam(req));
}

/** Emulator-only: the customer's answer to the 3D Secure challenge. */
export function authenticatePaymentIntent(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, ['client_secret', 'outcome', 'expand']);
  const pi = getPaymentIntent(ctx, pathParam(req));
  checkClientSecret(req, pi);
  const outcome = optEnum(req.params, 'outcome', ['approve', 'deny']);
  if (outcome === undefined) throw parameterMissing('outcome');
  const pm = pi.payment_method ? ctx.store.paymentMethods.get(pi.payment_method) : undefined;
  if (pi.status !== 'requires_action' || !pm) {
    throw unexpectedState(
      `This PaymentIntent has a status of ${pi.status}; only a PaymentIntent with a status of requires_action can be authenticated.`,
      viewFor(req.keyKind, pi),
    );
  }
  const request = eventRequest(req);
  if (outcome === 'deny') {
    const code = 'payment_intent_authentication_failure';
    pi.status = 'requires_payment_method';
    pi.next_action = null;
    pi.payment_method = null;
    pi.last_payment_error = {
      type: 'invalid_request_error',
      code,
      message:
        'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
      doc_url: docUrl(code),
      payment_method: structuredClone(pm),
    };
    ctx.emit('payment_intent.payment_failed', pi, request);
    return ok(render(ctx, req, pi));
  }
  const declined = attempt(ctx, pi, pm, request, { authenticated: true, offSession: false });
  if (declined) throw cardErrorFor(req, pi, declined.decline, declined.chargeId, pm);
  return ok(render(ctx, req, pi));
}

export function cancelPaymentIntent(ctx: Ctx, req: ApiRequest): ApiResult {
  rejectUnknown(req.params, ['cancellation_reason', 'expand']);
  const pi = getPaymentIntent(ctx, pathParam(req));
  const reason = optEnum(req.params, 'cancellation_reason', [
    'duplicate',
    'fraudulent',
    'requested_by_customer',
    'abandoned',
  ]);
  if (!CANCELABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      viewFor('secret', pi),
    );
  }
  pi.status = 'canceled';
  pi.canceled_at = ctx.nowSeconds();
  pi.cancellation_reason = reason ?? null;
  pi.next_action = null;
  ctx.emit('payment_intent.canceled', pi, eventRequest(req));
  return ok(render(ctx, req, pi));
}

/** Control helper: completes the payment as if the customer paid with 4242 4242 4242 4242. */
export function succeedPaymentIntentNow(ctx: Ctx, id: string): PaymentIntent {
  const pi = getPaymentIntent(ctx, id);
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(
      `PaymentIntent ${id} has a status of ${pi.status} and cannot succeed.`,
      viewFor('secret', pi),
    );
  }
  const pm = paymentMethodForNumber(ctx, '4242424242424242');
  succeed(ctx, pi, pm, eventRequest(null), false);
  return structuredClone(pi);
}
