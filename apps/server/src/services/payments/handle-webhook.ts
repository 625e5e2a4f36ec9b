import type Stripe from 'stripe';
import { AppError, validationError } from '../../errors.ts';
import type { ServiceContext } from '../context.ts';
import { EventEnvelopeSchema, payloadShapeFor } from './event-shape.ts';
import { fetchChargeDetails } from './card-details.ts';
import { disputeFacts, factsFromCharge, factsFromIntent, intentIdOf } from './facts.ts';
import { decidePayment, type PaymentFacts, type SettlementOutcome } from './settlement.ts';
import { verifyWebhook } from './verify-signature.ts';
import { updatePayment } from './update-payment.ts';

/**
 * What became of a delivery: the payment was settled (with what effects), or why it was not.
 * `ignored`: a type we do not act on; `malformed`: a type we act on with an unusable payload.
 */
export type WebhookResult = { eventId: string; type: string } & (
  | { kind: 'settled'; outcomes: SettlementOutcome[] }
  | { kind: 'ignored' | 'malformed' | 'duplicate_event' | 'unknown_payment' }
);

/** Which payment an event is about, and what it says; null for types we do not act on. */
function interpret(event: Stripe.Event): { intentId: string | null; facts: PaymentFacts } | null {
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed':
    case 'payment_intent.canceled':
    case 'payment_intent.requires_action':
      return { intentId: event.data.object.id, facts: factsFromIntent(event.data.object) };
    case 'charge.refunded':
      return {
        intentId: intentIdOf(event.data.object.payment_intent),
        facts: factsFromCharge(event.data.object),
      };
    case 'charge.dispute.created':
    case 'charge.dispute.closed':
      return {
        intentId: intentIdOf(event.data.object.payment_intent),
        facts: disputeFacts(event.data.object, event.type === 'charge.dispute.closed'),
      };
    default:
      return null;
  }
}

/**
 * Verifies the signature, then applies the event at most once (its id is recorded in the
 * same transaction as its ledger effect). Anything we cannot act on is still acknowledged,
 * so Stripe stops retrying, and recorded for operators.
 */
export async function handleWebhook(options: {
  ctx: ServiceContext;
  input: WebhookDelivery;
}): Promise<WebhookResult> {
  const { metrics } = options.ctx;
  metrics.webhook('received');
  try {
    const result = await applyWebhook(options.ctx, options.input);
    if (result.kind === 'duplicate_event') metrics.webhook('duplicate');
    return result;
  } catch (err) {
    // A bad signature or envelope is refused for good; anything else makes Stripe retry.
    const refused =
      err instanceof AppError &&
      (err.code === 'INVALID_SIGNATURE' || err.code === 'VALIDATION_ERROR');
    metrics.webhook(refused ? 'rejected' : 'failed');
    throw err;
  }
}

/** The exact bytes Stripe signed, and its `Stripe-Signature` header. */
export interface WebhookDelivery {
  rawBody: Buffer;
  signature: string | undefined;
}

async function applyWebhook(
  ctx: ServiceContext,
  delivery: WebhookDelivery,
): Promise<WebhookResult> {
  const now = ctx.now();
  const event = verifyWebhook({
    stripe: ctx.stripe,
    rawBody: delivery.rawBody,
    signature: delivery.signature,
    secrets: ctx.config.stripe.webhookSecrets,
    toleranceSeconds: ctx.config.stripe.webhookToleranceSeconds,
    now,
  });
  // Without an id and a type there is nothing to record or retry: the delivery is refused.
  if (!EventEnvelopeSchema.safeParse(event).success) throw validationError('Malformed event');
  const base = { eventId: event.id, type: event.type };
  const shape = payloadShapeFor(event.type);
  const malformed = shape !== undefined && !shape.safeParse(event.data.object).success;
  const meaning = malformed ? null : interpret(event);
  if (!meaning || !meaning.intentId) {
    // A malformed payload of a type we act on is recorded and acknowledged, never applied:
    // retrying the same signed bytes could not make it usable.
    const outcome = malformed ? ('malformed' as const) : ('ignored' as const);
    if (malformed) ctx.log.error({ alert: true, ...base }, 'webhook payload is malformed');
    const fresh = await ctx.store.recordStripeEvent({
      id: event.id,
      type: event.type,
      outcome,
      now: now.toISOString(),
    });
    return { ...base, kind: fresh ? outcome : 'duplicate_event' };
  }
  await adoptOrphanIntent(ctx, event, meaning.intentId);
  if (event.type === 'payment_intent.succeeded' && !meaning.facts.card) {
    Object.assign(
      meaning.facts,
      await fetchChargeDetails({ ctx, input: { intent: event.data.object } }),
    );
  }
  const result = await updatePayment({
    ctx,
    input: {
      paymentIntentId: meaning.intentId,
      event: { id: event.id, type: event.type },
      decide: decidePayment(meaning.facts),
      now: now.toISOString(),
    },
  });
  if (result.kind === 'unknown_payment') {
    ctx.log.warn(
      { alert: true, ...base, paymentIntentId: meaning.intentId },
      'webhook for an unknown PaymentIntent',
    );
    return { ...base, kind: 'unknown_payment' };
  }
  if (result.kind === 'duplicate_event') return { ...base, kind: 'duplicate_event' };
  if (result.outcomes.includes('amount_mismatch')) {
    ctx.log.error(
      { alert: true, ...base, paymentId: result.payment.id, anomaly: result.payment.anomaly },
      'payment amount mismatch: nothing credited',
    );
  } else {
    ctx.log.info(
      { ...base, paymentId: result.payment.id, outcomes: result.outcomes },
      'webhook applied',
    );
  }
  return { ...base, kind: 'settled', outcomes: result.outcomes };
}

/**
 * If create-intent crashed after Stripe made the intent but before we stored its id, the
 * intent's metadata still names our payment: tie them together so this event can settle it.
 */
async function adoptOrphanIntent(ctx: ServiceContext, event: Stripe.Event, intentId: string) {
  if (!event.type.startsWith('payment_intent.')) return;
  const paymentId = (event.data.object as Stripe.PaymentIntent).metadata?.payment_id;
  if (!paymentId || (await ctx.store.findPaymentByIntent({ paymentIntentId: intentId }))) return;
  const payment = await ctx.store.findPayment({ id: paymentId });
  if (payment && payment.stripePaymentIntentId === null) {
    await ctx.store.attachPaymentIntent({
      paymentId: payment.id,
      paymentIntentId: intentId,
      now: ctx.now().toISOString(),
    });
  }
}
