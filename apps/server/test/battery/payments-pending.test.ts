import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/harness.ts';
import { balanceOf, pay, startPurchase } from '../helpers/payments.ts';

// Issue 15, defect 7: a 3-D Secure payment interrupted by a reload stayed "Needs
// authentication" forever. Its owner can now finish it (resume: the client secret again) or
// cancel it; nobody else can do either, and a finished payment cannot be canceled.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ RATE_LIMIT_PAYMENTS_PER_MINUTE: '30' });
});
afterAll(async () => h.close());

async function waitingPayment() {
  const user = await h.signup();
  const intent = await startPurchase(h, user);
  const confirmed = await pay(h, intent.paymentIntentId, 'pm_card_authenticationRequired');
  expect(confirmed.status).toBe('requires_action');
  return { user, intent };
}

describe('a payment left waiting for 3-D Secure', () => {
  it('can be resumed by its owner with the same client secret', async () => {
    const { user, intent } = await waitingPayment();
    const res = await h.http().post(`/api/payments/${intent.paymentId}/resume`).set(user.auth);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      paymentId: intent.paymentId,
      paymentIntentId: intent.paymentIntentId,
      clientSecret: intent.clientSecret,
    });
  });

  it('can be canceled by its owner, once, with no credits moved', async () => {
    const { user, intent } = await waitingPayment();
    const url = `/api/payments/${intent.paymentId}/cancel`;
    const first = await h.http().post(url).set(user.auth).set('Idempotency-Key', 'cancel-1');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.payment.status).toBe('canceled');
    expect(first.body.creditBalance).toBe(10);
    // A retry with the same key replays; a new request finds it canceled already.
    const replay = await h.http().post(url).set(user.auth).set('Idempotency-Key', 'cancel-1');
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const again = await h.http().post(url).set(user.auth);
    expect(again.status).toBe(200);
    expect(again.body.payment.status).toBe('canceled');
    expect((await h.stripe.paymentIntents.retrieve(intent.paymentIntentId)).status).toBe(
      'canceled',
    );
    const resume = await h.http().post(`/api/payments/${intent.paymentId}/resume`).set(user.auth);
    expect(resume.status).toBe(409);
    expect(await balanceOf(h, user)).toBe(10);
  });

  it("is someone else's business only for its owner: 404 for everyone else", async () => {
    const { user, intent } = await waitingPayment();
    const stranger = await h.signup();
    for (const action of ['cancel', 'resume']) {
      const res = await h
        .http()
        .post(`/api/payments/${intent.paymentId}/${action}`)
        .set(stranger.auth);
      expect(res.status).toBe(404);
    }
    const res = await h.http().post(`/api/payments/${intent.paymentId}/cancel`);
    expect(res.status).toBe(401);
    const own = await h.http().get(`/api/payments/${intent.paymentId}`).set(user.auth);
    expect(own.body.payment.status).not.toBe('canceled');
  });

  it('refuses to cancel a payment that already succeeded', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    await pay(h, intent.paymentIntentId);
    await h
      .http()
      .post('/api/payments/confirm')
      .set(user.auth)
      .send({ paymentIntentId: intent.paymentIntentId });
    const before = await balanceOf(h, user);
    const res = await h.http().post(`/api/payments/${intent.paymentId}/cancel`).set(user.auth);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INVALID_STATE');
    expect(await balanceOf(h, user)).toBe(before);
  });

  it('is rate limited with the other payment calls', async () => {
    const { user, intent } = await waitingPayment();
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await h.http().post(`/api/payments/${intent.paymentId}/resume`).set(user.auth);
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(30);
  });
});
