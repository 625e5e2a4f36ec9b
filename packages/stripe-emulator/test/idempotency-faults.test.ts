import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, raw, sleep, startHarness, stripeClient, type Harness } from './helpers.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const paymentIntentCount = () => h.emulator.control.listAll().paymentIntents.length;

describe('idempotency', () => {
  it('replays the stored response for the same key and params', async () => {
    const params = { amount: 1000, currency: 'usd', metadata: { user_id: '1' } };
    const first = await h.stripe.paymentIntents.create(params, { idempotencyKey: 'key-1' });
    const second = await h.stripe.paymentIntents.create(params, { idempotencyKey: 'key-1' });
    expect(second.id).toBe(first.id);
    expect(paymentIntentCount()).toBe(1);

    const form = 'amount=1000&currency=usd&metadata[user_id]=1';
    const replay = await raw(h.url, '/v1/payment_intents', {
      form,
      headers: { 'Idempotency-Key': 'key-1' },
    });
    expect(replay.body.id).toBe(first.id);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(paymentIntentCount()).toBe(1);
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toEqual(['payment_intent.created']);
    expect(h.receiver.received[0]?.event.request).toMatchObject({ idempotency_key: 'key-1' });
  });

  it('also replays a card decline instead of charging again', async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const confirm = () =>
      h.stripe.paymentIntents.confirm(
        pi.id,
        { payment_method: 'pm_card_chargeDeclined' },
        { idempotencyKey: 'confirm-1' },
      );
    const a = await errorOf(confirm);
    const b = await errorOf(confirm);
    expect(a.code).toBe('card_declined');
    expect(b.code).toBe('card_declined');
    expect(h.emulator.control.listAll().charges).toHaveLength(1);
  });

  it('rejects the same key with different params as idempotency_error', async () => {
    await h.stripe.paymentIntents.create(
      { amount: 1000, currency: 'usd' },
      { idempotencyKey: 'key-2' },
    );
    const err = await errorOf(() =>
      h.stripe.paymentIntents.create(
        { amount: 2000, currency: 'usd' },
        { idempotencyKey: 'key-2' },
      ),
    );
    expect(err.type).toBe('StripeIdempotencyError');
    expect(err.statusCode).toBe(400);
    expect(err.message).toContain('key-2');
    expect(paymentIntentCount()).toBe(1);
  });

  it('scopes keys per API key', async () => {
    const other = stripeClient(h.port, 'sk_test_another_account');
    const a = await h.stripe.paymentIntents.create(
      { amount: 1000, currency: 'usd' },
      { idempotencyKey: 'shared' },
    );
    const b = await other.paymentIntents.create(
      { amount: 1000, currency: 'usd' },
      { idempotencyKey: 'shared' },
    );
    expect(b.id).not.toBe(a.id);
  });

  it('does not store validation failures', async () => {
    const bad = await errorOf(() =>
      h.stripe.paymentIntents.create({ amount: 1, currency: 'usd' }, { idempotencyKey: 'k3' }),
    );
    expect(bad.code).toBe('amount_too_small');
    const good = await raw(h.url, '/v1/payment_intents', {
      form: 'amount=1&currency=usd',
      headers: { 'Idempotency-Key': 'k3' },
    });
    expect(good.status).toBe(400);
    expect(good.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('failNext', () => {
  it('503 is not recorded: the retry with the same key creates exactly one PaymentIntent', async () => {
    h.emulator.control.failNext({ method: 'POST', path: '/v1/payment_intents' }, { status: 503 });
    const params = { amount: 1000, currency: 'usd' };
    const err = await errorOf(() =>
      h.stripe.paymentIntents.create(params, { idempotencyKey: 'order-1' }),
    );
    expect(err.type).toBe('StripeAPIError');
    expect(err.statusCode).toBe(503);
    expect(paymentIntentCount()).toBe(0);

    const pi = await h.stripe.paymentIntents.create(params, { idempotencyKey: 'order-1' });
    expect(pi.id).toMatch(/^pi_/);
    expect(paymentIntentCount()).toBe(1);
    expect(h.emulator.control.requestLog.map((r) => [r.status, r.idempotencyKey])).toEqual([
      [503, 'order-1'],
      [200, 'order-1'],
    ]);
  });

  it('stripe-node with maxNetworkRetries: 1 retries a 503 with the same idempotency key', async () => {
    const retrying = stripeClient(h.port, undefined, { maxNetworkRetries: 1 });
    h.emulator.control.failNext({ method: 'POST', path: '/v1/payment_intents' }, { status: 503 });
    const pi = await retrying.paymentIntents.create({ amount: 1000, currency: 'usd' });
    expect(pi.status).toBe('requires_payment_method');
    expect(paymentIntentCount()).toBe(1);
    const [first, second] = h.emulator.control.requestLog;
    expect(first?.status).toBe(503);
    expect(second?.status).toBe(200);
    expect(first?.idempotencyKey).toMatch(/^stripe-node-retry-/);
    expect(second?.idempotencyKey).toBe(first?.idempotencyKey);
  });

  it("'reset' destroys the socket; stripe-node's automatic retry then succeeds once", async () => {
    h.emulator.control.failNext({ method: 'POST', path: '/v1/payment_intents' }, 'reset');
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    expect(pi.id).toMatch(/^pi_/);
    expect(paymentIntentCount()).toBe(1);
    const log = h.emulator.control.requestLog;
    expect(log.map((r) => r.status)).toEqual([null, 200]);
    expect(log[0]?.fault).toBe('reset');
    expect(log[1]?.idempotencyKey).toBe(log[0]?.idempotencyKey);

    h.emulator.control.failNext({ method: 'GET', path: '/v1/payment_intents' }, 'reset');
    await expect(fetch(`${h.url}/v1/payment_intents`)).rejects.toThrow();
  });

  it('hangMs delays a request; a timed-out client retry with the same key yields one object', async () => {
    const impatient = stripeClient(h.port, undefined, { timeout: 150, maxNetworkRetries: 1 });
    h.emulator.control.failNext({ method: 'POST', path: '/v1/payment_intents' }, { hangMs: 400 });
    const pi = await impatient.paymentIntents.create(
      { amount: 1000, currency: 'usd' },
      { idempotencyKey: 'slow-1' },
    );
    const deadline = Date.now() + 2000;
    while (h.emulator.control.requestLog.length < 2 && Date.now() < deadline) await sleep(20);
    const log = h.emulator.control.requestLog;
    expect(log).toHaveLength(2);
    expect(log.every((r) => r.idempotencyKey === 'slow-1')).toBe(true);
    // Whichever of the hung request and the retry ran second replayed the first one's result.
    expect(log.map((r) => r.status)).toEqual([200, 200]);
    expect(log.filter((r) => r.fault === 'hang')).toHaveLength(1);
    expect(log.filter((r) => r.replayed)).toHaveLength(1);
    expect(paymentIntentCount()).toBe(1);
    expect(h.emulator.control.listAll().paymentIntents[0]?.id).toBe(pi.id);
  });

  it('fires `times` times on matching requests only', async () => {
    h.emulator.control.failNext(
      { method: 'GET', path: '/v1/payment_intents/*' },
      { status: 500 },
      2,
    );
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await expect(h.stripe.paymentIntents.retrieve(pi.id)).rejects.toMatchObject({
      statusCode: 500,
    });
    await expect(h.stripe.paymentIntents.retrieve(pi.id)).rejects.toMatchObject({
      statusCode: 500,
    });
    await expect(h.stripe.paymentIntents.retrieve(pi.id)).resolves.toMatchObject({ id: pi.id });
  });

  it('is available over HTTP', async () => {
    const armed = await raw(h.url, '/_emulator/faults', {
      json: { method: 'POST', path: '/v1/refunds', status: 503 },
    });
    expect(armed.status).toBe(200);
    const pi = await h.stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    const err = await errorOf(() => h.stripe.refunds.create({ payment_intent: pi.id }));
    expect(err.statusCode).toBe(503);
    const log = await raw(h.url, '/_emulator/requests');
    expect((log.body.data as unknown[]).length).toBe(2);
  });
});
