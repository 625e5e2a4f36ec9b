import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PaymentHistoryResponseSchema } from '@app/shared';
import { createHarness, tableCounts, type Harness } from './helpers/harness.ts';
import { balanceOf, pay, PRO, startPurchase } from './helpers/payments.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.emulator.control.waitForIdle();
  h.emulator.control.resumeDelivery();
  h.emulator.control.clearFaults();
  await h.assertInvariants();
});
afterAll(async () => h.close());

describe('POST /api/payments/create-intent', () => {
  it('creates a PaymentIntent for the package-table amount, tied to the payment', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    expect(intent).toMatchObject({ amountCents: 2499, currency: 'usd', credits: 160 });
    expect(intent.clientSecret).toMatch(/^pi_.+_secret_/);
    const pi = await h.stripe.paymentIntents.retrieve(intent.paymentIntentId);
    expect(pi.amount).toBe(2499);
    expect(pi.currency).toBe('usd');
    expect(pi.metadata).toMatchObject({
      payment_id: intent.paymentId,
      user_id: user.id,
      package_id: '2',
    });
    const payment = await h.http().get(`/api/payments/${intent.paymentId}`).set(user.auth);
    expect(payment.body.payment).toMatchObject({
      status: 'pending',
      amountCents: 2499,
      credits: 160,
    });
  });

  it.each([
    [{ packageId: 99 }, 404],
    [{ packageId: 0 }, 400],
    [{ packageId: '2' }, 400],
    [{ packageId: 2, amount: 1 }, 400],
    [{ packageId: 2, priceCents: 1 }, 400],
    [{ packageId: 2, credits: 100000 }, 400],
    [{}, 400],
  ])('refuses %j with %i and writes nothing', async (body, status) => {
    const user = await h.signup();
    const before = await tableCounts(h);
    const intentsBefore = h.emulator.control.listAll().paymentIntents.length;
    const res = await h.http().post('/api/payments/create-intent').set(user.auth).send(body);
    expect(res.status).toBe(status);
    expect(await tableCounts(h)).toEqual(before);
    expect(h.emulator.control.listAll().paymentIntents.length).toBe(intentsBefore);
  });

  it('survives a 503 from Stripe on the first attempt with one PaymentIntent (same idempotency key)', async () => {
    const user = await h.signup();
    const before = h.emulator.control.listAll().paymentIntents.length;
    h.emulator.control.failNext({ method: 'POST', path: '/v1/payment_intents' }, { status: 503 });
    const intent = await startPurchase(h, user);
    expect(h.emulator.control.listAll().paymentIntents.length).toBe(before + 1);
    const attempts = h.emulator.control.requestLog.filter(
      (r) =>
        r.method === 'POST' &&
        r.path === '/v1/payment_intents' &&
        r.idempotencyKey === `create-intent:${intent.paymentId}`,
    );
    expect(attempts.length).toBe(2);
    expect(attempts.map((a) => a.status)).toEqual([503, 200]);
  });

  it('answers 502 when Stripe is unreachable, crediting nothing', async () => {
    const user = await h.signup();
    h.emulator.control.failNext({ method: 'POST', path: '/v1/payment_intents' }, 'reset', 5);
    const res = await h
      .http()
      .post('/api/payments/create-intent')
      .set(user.auth)
      .send({ packageId: PRO });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    expect(JSON.stringify(res.body)).not.toMatch(/ECONNRESET|socket|stripe\.com/i);
    expect(await balanceOf(h, user)).toBe(10);
  });
});

describe('buying credits end to end', () => {
  it('credits the package once when the webhook arrives, and shows it in the history', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(170);
    const history = PaymentHistoryResponseSchema.parse(
      (await h.http().get('/api/payments/history').set(user.auth)).body,
    );
    expect(history.payments[0]).toMatchObject({
      id: intent.paymentId,
      status: 'succeeded',
      credits: 160,
    });
    const tx = await h.http().get('/api/credits/transactions?type=purchase').set(user.auth);
    expect(tx.body.transactions).toEqual([
      expect.objectContaining({
        amount: 160,
        referenceType: 'payment',
        referenceId: intent.paymentId,
      }),
    ]);
    const me = await h.http().get('/api/auth/me').set(user.auth);
    expect(me.body.user.totalCreditsPurchased).toBe(160);
  });

  it('a declined card adds nothing and records the failure', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    await expect(pay(h, intent.paymentIntentId, 'pm_card_chargeDeclined')).rejects.toMatchObject({
      code: 'card_declined',
    });
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(10);
    const payment = await h.http().get(`/api/payments/${intent.paymentId}`).set(user.auth);
    expect(payment.body.payment.status).toBe('failed');
    expect(payment.body.payment.failureMessage).toMatch(/declined/i);
  });

  it('confirm re-reads Stripe and credits exactly once, racing the webhook (C6)', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    h.emulator.control.pauseDelivery();
    const pending = await h
      .http()
      .post('/api/payments/confirm')
      .set(user.auth)
      .send({ paymentIntentId: intent.paymentIntentId });
    expect(pending.status).toBe(200);
    expect(pending.body.payment.status).toBe('pending');
    await pay(h, intent.paymentIntentId);
    const succeeded = h.emulator.control
      .pendingEvents()
      .find(
        (e) =>
          e.type === 'payment_intent.succeeded' &&
          (e.data.object as { id: string }).id === intent.paymentIntentId,
      )!;
    const confirms = Array.from({ length: 10 }, () =>
      h
        .http()
        .post('/api/payments/confirm')
        .set(user.auth)
        .send({ paymentIntentId: intent.paymentIntentId }),
    );
    const deliveries = h.emulator.control.deliver(succeeded.id, { times: 20 });
    const [confirmResults, log] = await Promise.all([Promise.all(confirms), deliveries]);
    for (const r of confirmResults) expect(r.status).toBe(200);
    for (const d of log) expect(d.status).toBeGreaterThanOrEqual(200);
    for (const d of log) expect(d.status).toBeLessThan(300);
    for (let i = 0; i < 5; i += 1) await h.emulator.control.deliver(succeeded.id);
    h.emulator.control.resumeDelivery();
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(170);
    const tx = await h.http().get('/api/credits/transactions?type=purchase').set(user.auth);
    expect(tx.body.transactions).toHaveLength(1);
  });
});

describe('who can see a payment', () => {
  it('gives another user 404 for details and confirm, and keeps lists apart (BOLA)', async () => {
    const alice = await h.signup();
    const bob = await h.signup();
    const intent = await startPurchase(h, alice);
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    expect((await h.http().get(`/api/payments/${intent.paymentId}`).set(bob.auth)).status).toBe(
      404,
    );
    const confirm = await h
      .http()
      .post('/api/payments/confirm')
      .set(bob.auth)
      .send({ paymentIntentId: intent.paymentIntentId });
    expect(confirm.status).toBe(404);
    const list = await h.http().get('/api/payments/history').set(bob.auth);
    expect(list.body.payments).toEqual([]);
    expect(await balanceOf(h, bob)).toBe(10);
    expect(await balanceOf(h, alice)).toBe(170);
  });

  it('paginates the history newest first', async () => {
    const user = await h.signup();
    for (let i = 0; i < 3; i += 1) await startPurchase(h, user, 1);
    const page = await h.http().get('/api/payments/history?page=2&pageSize=2').set(user.auth);
    expect(page.body.pagination).toEqual({ page: 2, pageSize: 2, total: 3, totalPages: 2 });
    expect(page.body.payments).toHaveLength(1);
  });
});

describe('rate limits', () => {
  it('limits create-intent per user with 429 and Retry-After', async () => {
    const limited = await createHarness({ RATE_LIMIT_PAYMENTS_PER_MINUTE: '3' });
    const user = await limited.signup();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const r = await limited
        .http()
        .post('/api/payments/create-intent')
        .set(user.auth)
        .send({ packageId: 1 });
      statuses.push(r.status);
      if (r.status === 429) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    await limited.close();
  });
});
