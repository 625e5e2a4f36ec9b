import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, raw, startHarness, type Harness } from './helpers.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const card = (number: string) => ({ type: 'card' as const, card: { number } }) as never;

describe('create / retrieve / list', () => {
  it('creates a PaymentIntent with Stripe’s shape and emits payment_intent.created', async () => {
    const before = Math.floor(Date.now() / 1000);
    const pi = await h.stripe.paymentIntents.create({
      amount: 1500,
      currency: 'usd',
      metadata: { user_id: '42', package: 'starter' },
      description: 'Credits',
      automatic_payment_methods: { enabled: true },
      receipt_email: 'a@example.com',
    });
    expect(pi.id).toMatch(/^pi_\w{24}$/);
    expect(pi).toMatchObject({
      object: 'payment_intent',
      amount: 1500,
      amount_received: 0,
      currency: 'usd',
      status: 'requires_payment_method',
      metadata: { user_id: '42', package: 'starter' },
      description: 'Credits',
      livemode: false,
      latest_charge: null,
      last_payment_error: null,
      next_action: null,
      cancellation_reason: null,
      canceled_at: null,
      payment_method: null,
      receipt_email: 'a@example.com',
      automatic_payment_methods: { enabled: true, allow_redirects: 'always' },
    });
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_\\w+$`));
    expect(pi.created).toBeGreaterThanOrEqual(before);
    expect(pi.created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    const [delivery] = await h.receiver.waitFor(1);
    expect(delivery?.event.type).toBe('payment_intent.created');
    expect(delivery?.event.data.object).toEqual(JSON.parse(JSON.stringify(pi)));
  });

  it('accepts the legacy payment_method_types[] array form and JSON bodies', async () => {
    const form = await raw(h.url, '/v1/payment_intents', {
      form: 'amount=900&currency=USD&payment_method_types[]=card&metadata[user_id]=7',
    });
    expect(form.status).toBe(200);
    expect(form.body).toMatchObject({
      currency: 'usd',
      payment_method_types: ['card'],
      metadata: { user_id: '7' },
    });
    const json = await raw(h.url, '/v1/payment_intents', {
      json: { amount: 900, currency: 'eur', metadata: { user_id: 8 } },
    });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ amount: 900, currency: 'eur', metadata: { user_id: '8' } });
  });

  it('retrieves, with expand[]=latest_charge', async () => {
    const pi = await h.stripe.paymentIntents.create({
      amount: 2000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    const plain = await h.stripe.paymentIntents.retrieve(pi.id);
    expect(plain.latest_charge).toMatch(/^ch_/);
    const expanded = await h.stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    expect(expanded.latest_charge).toMatchObject({
      id: plain.latest_charge,
      object: 'charge',
      amount: 2000,
    });
    const bad = await errorOf(() =>
      h.stripe.paymentIntents.retrieve(pi.id, { expand: ['currency'] }),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.param).toBe('expand');
  });

  it('lists newest first with cursors, created filters and auto-pagination', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      ids.push((await h.stripe.paymentIntents.create({ amount: 100 + i, currency: 'usd' })).id);
    }
    const newestFirst = [...ids].reverse();

    const page1 = await h.stripe.paymentIntents.list();
    expect(page1.object).toBe('list');
    expect(page1.url).toBe('/v1/payment_intents');
    expect(page1.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 10));
    expect(page1.has_more).toBe(true);

    const page2 = await h.stripe.paymentIntents.list({ limit: 10, starting_after: ids[15] });
    expect(page2.data.map((p) => p.id)).toEqual(newestFirst.slice(10, 20));

    const before = await h.stripe.paymentIntents.list({ limit: 3, ending_before: ids[10] });
    expect(before.data.map((p) => p.id)).toEqual([ids[13], ids[12], ids[11]]);
    expect(before.has_more).toBe(true);

    const all = await h.stripe.paymentIntents.list({ limit: 7 }).autoPagingToArray({ limit: 100 });
    expect(all.map((p) => p.id)).toEqual(newestFirst);

    const now = Math.floor(Date.now() / 1000);
    const future = await h.stripe.paymentIntents.list({ created: { gte: now + 3600 } });
    expect(future.data).toEqual([]);
    const recent = await h.stripe.paymentIntents.list({ created: { lte: now + 1 }, limit: 100 });
    expect(recent.data).toHaveLength(25);

    const tooMany = await errorOf(() => h.stripe.paymentIntents.list({ limit: 101 }));
    expect(tooMany.param).toBe('limit');
  });
});

describe('confirm with test cards', () => {
  it('4242 succeeds: charge created, events charge.succeeded then payment_intent.succeeded', async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const done = await h.stripe.paymentIntents.confirm(pi.id, {
      payment_method_data: card('4242 4242 4242 4242'),
    });
    expect(done.status).toBe('succeeded');
    expect(done.amount_received).toBe(1000);
    expect(done.payment_method).toMatch(/^pm_/);
    const charge = await h.stripe.charges.retrieve(String(done.latest_charge));
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 1000,
      amount_captured: 1000,
      amount_refunded: 0,
      refunded: false,
      disputed: false,
      paid: true,
      captured: true,
      status: 'succeeded',
      payment_intent: pi.id,
      currency: 'usd',
      livemode: false,
    });
    expect(charge.payment_method_details?.card?.last4).toBe('4242');
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
    const succeeded = h.receiver.received[2]?.event.data.object;
    expect(succeeded).toMatchObject({ id: pi.id, status: 'succeeded', latest_charge: charge.id });
  });

  it('pm_card_visa and other brands succeed; create with confirm=true works in one call', async () => {
    for (const pm of ['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex']) {
      const pi = await h.stripe.paymentIntents.create({
        amount: 700,
        currency: 'usd',
        payment_method: pm,
        confirm: true,
      });
      expect(pi.status).toBe('succeeded');
    }
    const unconfirmed = await h.stripe.paymentIntents.create({
      amount: 700,
      currency: 'usd',
      payment_method: 'pm_card_visa',
    });
    expect(unconfirmed.status).toBe('requires_confirmation');
    const confirmed = await h.stripe.paymentIntents.confirm(unconfirmed.id);
    expect(confirmed.status).toBe('succeeded');
  });

  it.each([
    ['4000000000000002', undefined],
    [undefined, 'pm_card_chargeDeclined'],
  ])('decline (%s %s): 402 card_error, PI back to requires_payment_method', async (num, pm) => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const err = await errorOf(() =>
      h.stripe.paymentIntents.confirm(
        pi.id,
        num ? { payment_method_data: card(num) } : { payment_method: pm },
      ),
    );
    expect(err.type).toBe('StripeCardError');
    expect(err.statusCode).toBe(402);
    expect(err.code).toBe('card_declined');
    expect(err.decline_code).toBe('generic_decline');
    expect(err.message).toBe('Your card was declined.');
    expect(err.payment_intent).toMatchObject({ id: pi.id, status: 'requires_payment_method' });

    const after = await h.stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
    });
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toContain('payment_intent.payment_failed');
    expect(h.receiver.types()).not.toContain('payment_intent.succeeded');

    // The customer can then pay with another card.
    const retried = await h.stripe.paymentIntents.confirm(pi.id, {
      payment_method: 'pm_card_visa',
    });
    expect(retried.status).toBe('succeeded');
  });

  it('insufficient funds carries its decline code', async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const err = await errorOf(() =>
      h.stripe.paymentIntents.confirm(pi.id, { payment_method_data: card('4000000000009995') }),
    );
    expect(err.code).toBe('card_declined');
    expect(err.decline_code).toBe('insufficient_funds');
  });

  it('a number failing the Luhn check is incorrect_number and leaves the PI untouched', async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const err = await errorOf(() =>
      h.stripe.paymentIntents.confirm(pi.id, { payment_method_data: card('4242424242424241') }),
    );
    expect(err.type).toBe('StripeCardError');
    expect(err.code).toBe('incorrect_number');
    const after = await h.stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.latest_charge).toBeNull();
  });

  it('a valid non-test number is declined as a live card', async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const err = await errorOf(() =>
      h.stripe.paymentIntents.confirm(pi.id, { payment_method_data: card('4111111111111111') }),
    );
    expect(err.code).toBe('card_declined');
    expect(err.decline_code).toBe('test_mode_live_card');
  });

  it('cannot confirm without a payment method, nor a succeeded PaymentIntent', async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const missing = await errorOf(() => h.stripe.paymentIntents.confirm(pi.id));
    expect(missing.statusCode).toBe(400);
    expect(missing.code).toBe('payment_intent_unexpected_state');
    await h.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    const again = await errorOf(() =>
      h.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' }),
    );
    expect(again.code).toBe('payment_intent_unexpected_state');
    expect(h.emulator.control.listAll().charges).toHaveLength(1);
  });
});

describe('3D Secure', () => {
  async function requiresAction() {
    const pi = await h.stripe.paymentIntents.create({ amount: 3000, currency: 'usd' });
    const confirmed = await h.stripe.paymentIntents.confirm(pi.id, {
      payment_method_data: card('4000002760003184'),
    });
    expect(confirmed.status).toBe('requires_action');
    expect(confirmed.next_action).toEqual({
      type: 'use_stripe_sdk',
      use_stripe_sdk: { type: 'emulator_3ds' },
    });
    return confirmed;
  }

  const authenticate = (id: string, clientSecret: string, outcome: string) =>
    raw(h.url, `/v1/payment_intents/${id}/authenticate`, {
      key: 'pk_test_emulator',
      form: `client_secret=${clientSecret}&outcome=${outcome}`,
    });

  it('approve completes the payment', async () => {
    const pi = await requiresAction();
    const res = await authenticate(pi.id, String(pi.client_secret), 'approve');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('succeeded');
    // A publishable-key response omits latest_charge, as Stripe's does.
    expect(res.body).not.toHaveProperty('latest_charge');
    const chargeId = h.emulator.control.getPaymentIntent(pi.id)?.latest_charge;
    const charge = await h.stripe.charges.retrieve(String(chargeId));
    expect(charge.payment_method_details?.card?.three_d_secure).toMatchObject({
      result: 'authenticated',
    });
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
  });

  it('deny fails with payment_intent_authentication_failure', async () => {
    const pi = await requiresAction();
    const res = await authenticate(pi.id, String(pi.client_secret), 'deny');
    expect(res.status).toBe(200);
    const after = await h.stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error?.code).toBe('payment_intent_authentication_failure');
    expect(after.latest_charge).toBeNull();
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types().at(-1)).toBe('payment_intent.payment_failed');
  });

  it('rejects a wrong client_secret and a PaymentIntent not awaiting authentication', async () => {
    const pi = await requiresAction();
    const wrong = await authenticate(pi.id, `${pi.id}_secret_nope`, 'approve');
    expect(wrong.status).toBe(400);
    await authenticate(pi.id, String(pi.client_secret), 'approve');
    const twice = await authenticate(pi.id, String(pi.client_secret), 'approve');
    expect(twice.status).toBe(400);
    expect((twice.body.error as { code: string }).code).toBe('payment_intent_unexpected_state');
  });

  it('off_session payments needing authentication are declined instead', async () => {
    const err = await errorOf(() =>
      h.stripe.paymentIntents.create({
        amount: 1000,
        currency: 'usd',
        payment_method: 'pm_card_authenticationRequired',
        confirm: true,
        off_session: true,
      }),
    );
    expect(err.code).toBe('authentication_required');
  });
});

describe('cancel', () => {
  it('cancels from a cancelable state and emits payment_intent.canceled', async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const canceled = await h.stripe.paymentIntents.cancel(pi.id, {
      cancellation_reason: 'abandoned',
    });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    expect(canceled.canceled_at).toBeTypeOf('number');
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toEqual(['payment_intent.created', 'payment_intent.canceled']);

    const again = await errorOf(() => h.stripe.paymentIntents.cancel(pi.id));
    expect(again.statusCode).toBe(400);
    expect(again.code).toBe('payment_intent_unexpected_state');
  });

  it('refuses to cancel a succeeded PaymentIntent', async () => {
    const pi = await h.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    const err = await errorOf(() => h.stripe.paymentIntents.cancel(pi.id));
    expect(err.code).toBe('payment_intent_unexpected_state');
    expect(err.message).toContain('succeeded');
  });
});

describe('errors', () => {
  it('validates params with Stripe’s error shape', async () => {
    const small = await errorOf(() =>
      h.stripe.paymentIntents.create({ amount: 10, currency: 'usd' }),
    );
    expect(small.type).toBe('StripeInvalidRequestError');
    expect(small.statusCode).toBe(400);
    expect(small.code).toBe('amount_too_small');
    expect(small.param).toBe('amount');

    const missing = await raw(h.url, '/v1/payment_intents', { form: 'amount=1000' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'parameter_missing',
      param: 'currency',
    });

    const notInt = await raw(h.url, '/v1/payment_intents', { form: 'amount=ten&currency=usd' });
    expect(notInt.body.error).toMatchObject({ param: 'amount' });

    const unknown = await raw(h.url, '/v1/payment_intents', {
      form: 'amount=1000&currency=usd&colour=red',
    });
    expect(unknown.body.error).toMatchObject({ code: 'parameter_unknown', param: 'colour' });
  });

  it('404s a missing resource and an unknown route; every response has a Request-Id', async () => {
    const missing = await errorOf(() => h.stripe.paymentIntents.retrieve('pi_doesnotexist'));
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('resource_missing');
    expect(missing.message).toBe("No such payment_intent: 'pi_doesnotexist'");
    expect(missing.requestId).toMatch(/^req_/);

    const route = await raw(h.url, '/v1/customers');
    expect(route.status).toBe(404);
    expect(route.body.error).toMatchObject({ type: 'invalid_request_error' });
    expect((route.body.error as { message: string }).message).toMatch(/^Unrecognized request URL/);
    expect(route.headers.get('request-id')).toMatch(/^req_/);

    const ok = await raw(h.url, '/v1/payment_intents');
    expect(ok.headers.get('request-id')).toMatch(/^req_/);
  });
});
