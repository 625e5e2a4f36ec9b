import type Stripe from 'stripe';
import { expect } from 'vitest';
import type { Harness, TestUser } from './harness.ts';

export const PRO = 2;

/** Buys a package the way the browser does: create-intent, then the customer pays at Stripe. */
export async function startPurchase(h: Harness, user: TestUser, packageId = PRO) {
  const res = await h.http().post('/api/payments/create-intent').set(user.auth).send({ packageId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as {
    paymentId: string;
    paymentIntentId: string;
    clientSecret: string;
    amountCents: number;
  };
}

export async function pay(h: Harness, paymentIntentId: string, card = 'pm_card_visa') {
  return h.stripe.paymentIntents.confirm(paymentIntentId, { payment_method: card });
}

export async function balanceOf(h: Harness, user: TestUser): Promise<number> {
  const res = await h.http().get('/api/credits/balance').set(user.auth);
  return res.body.creditBalance as number;
}

export async function chargeOf(h: Harness, paymentIntentId: string): Promise<Stripe.Charge> {
  const pi = await h.stripe.paymentIntents.retrieve(paymentIntentId, { expand: ['latest_charge'] });
  return pi.latest_charge as Stripe.Charge;
}

/** A signed delivery exactly as Stripe makes it, for events the emulator would not send. */
export function signedEvent(h: Harness, event: object, timestamp?: number) {
  const payload = JSON.stringify(event);
  const header = h.stripe.webhooks.generateTestHeaderString({
    payload,
    secret: h.config.stripe.webhookSecret,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
  return { payload, header };
}

export function postWebhook(h: Harness, payload: string, header?: string) {
  const req = h.http().post('/api/payments/webhook').set('Content-Type', 'application/json');
  if (header !== undefined) req.set('Stripe-Signature', header);
  return req.send(payload);
}
