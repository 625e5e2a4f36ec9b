import type Stripe from 'stripe';
import type { CreatePaymentIntentRequest, CreatePaymentIntentResponse } from '@app/shared';
import { newId } from '../../ids.ts';
import { AppError, notFound } from '../../errors.ts';
import type { Actor, ServiceContext } from '../context.ts';
import { providerError } from './provider-error.ts';

/**
 * Amount, currency and credits come from the server's package table only. The pending
 * payment is written first so the PaymentIntent can carry its id; the Stripe idempotency
 * key is derived from it, so SDK retries after a lost response reuse the same intent.
 */
export async function createPaymentIntent(options: {
  ctx: ServiceContext;
  actor: Actor;
  input: CreatePaymentIntentRequest;
}): Promise<CreatePaymentIntentResponse> {
  const { ctx, actor, input } = options;
  const pkg = await ctx.store.findPackage({ id: input.packageId });
  if (!pkg || !pkg.active) throw notFound('Credit package');
  const now = ctx.now().toISOString();
  const payment = await ctx.store.createPayment({ id: newId(), userId: actor.userId, pkg, now });
  ctx.metrics.paymentCreated();
  let intent: Stripe.PaymentIntent;
  try {
    intent = await ctx.stripe.paymentIntents.create(
      {
        amount: payment.amountCents,
        currency: payment.currency,
        automatic_payment_methods: { enabled: true },
        description: `${pkg.name} credit package (${payment.credits} credits)`,
        metadata: {
          payment_id: payment.id,
          user_id: actor.userId,
          package_id: String(pkg.id),
          credits: String(payment.credits),
        },
      },
      { idempotencyKey: `create-intent:${payment.id}` },
    );
  } catch (err) {
    ctx.log.error({ err, paymentId: payment.id }, 'creating the PaymentIntent failed');
    // The pending payment stays: if Stripe did create the intent, the webhook or the
    // reconciliation finds it through its metadata and settles it.
    throw providerError(err);
  }
  if (!intent.client_secret)
    throw new AppError(
      'PAYMENT_PROVIDER_UNAVAILABLE',
      'Payment provider returned no client secret',
    );
  await ctx.store.attachPaymentIntent({
    paymentId: payment.id,
    paymentIntentId: intent.id,
    now: ctx.now().toISOString(),
  });
  return {
    paymentId: payment.id,
    paymentIntentId: intent.id,
    clientSecret: intent.client_secret,
    amountCents: payment.amountCents,
    currency: payment.currency,
    credits: payment.credits,
  };
}
