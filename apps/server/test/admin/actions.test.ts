import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { pay, postWebhook, signedEvent, startPurchase } from '../helpers/payments.ts';
import { seedVideo } from '../helpers/ledger-ops.ts';
import { gatedRenderer } from '../helpers/renderers.ts';
import { generate, waitFor, waitForTerminal } from '../helpers/video.ts';
import { balance, NOTE, snapshot, staffUser } from './helpers.ts';

/** Refunds through Stripe, stuck videos, sessions and disabled accounts. */

const gate = gatedRenderer();
let h: Harness;
let support: TestUser;
let admin: TestUser;
let admin2: TestUser;

beforeAll(async () => {
  h = await createHarness(
    { ADMIN_APPROVAL_THRESHOLD_CREDITS: '100' },
    { renderer: gate.renderer, verifyOutput: false },
  );
  support = await staffUser(h, 'support');
  admin = await staffUser(h, 'admin');
  admin2 = await staffUser(h, 'admin');
});

afterAll(async () => {
  for (const id of [...gate.started]) if (gate.isRendering(id)) gate.fail(id, 'test over');
  await h.emulator.control.waitForIdle();
  await h.assertInvariants();
  await h.close();
});

const post = (staff: TestUser, path: string, body: object = { note: NOTE }) =>
  h.http().post(path).set(staff.auth).send(body);

async function paidPurchase(user: TestUser, packageId = 1) {
  const intent = await startPurchase(h, user, packageId);
  await pay(h, intent.paymentIntentId);
  await h.emulator.control.waitForIdle();
  return intent;
}

const clawbacks = (paymentId: string) =>
  h.data.countRows({
    table: 'transactions',
    where: { type: 'clawback', reference_id: { like: `${paymentId}:%` } },
  });

describe('refund a payment through Stripe', () => {
  it('refunds at Stripe; the webhook claws back exactly once', async () => {
    const customer = await h.signup();
    const intent = await paidPurchase(customer);
    const credited = await balance(h, customer.id);
    const payment = (await h.store.findPayment({ id: intent.paymentId }))!;
    expect(payment.credits).toBeLessThanOrEqual(100);

    const forbidden = await post(support, `/api/admin/payments/${intent.paymentId}/refund`, {
      reason: 'goodwill',
      note: NOTE,
    });
    expect(forbidden.status).toBe(403);
    const tooMuch = await post(admin, `/api/admin/payments/${intent.paymentId}/refund`, {
      amountCents: payment.amountCents + 1,
      reason: 'goodwill',
      note: NOTE,
    });
    expect(tooMuch.status).toBe(400);

    const res = await post(admin, `/api/admin/payments/${intent.paymentId}/refund`, {
      reason: 'goodwill',
      note: 'Customer asked within 14 days',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.audit[0]).toMatchObject({
      action: 'refund_payment',
      targetType: 'payment',
      targetId: intent.paymentId,
      amount: payment.amountCents,
      details: expect.objectContaining({ refundId: expect.stringMatching(/^re_/) }),
    });
    await h.emulator.control.waitForIdle();
    expect(await balance(h, customer.id)).toBe(credited - payment.credits);
    expect(await clawbacks(intent.paymentId)).toBe(1);
    expect((await h.store.findPayment({ id: intent.paymentId }))!.status).toBe('refunded');

    // A second refund is refused: nothing is left.
    const again = await post(admin, `/api/admin/payments/${intent.paymentId}/refund`, {
      reason: 'goodwill',
      note: NOTE,
    });
    expect(again.status).toBe(409);
    await h.emulator.control.waitForIdle();
    expect(await clawbacks(intent.paymentId)).toBe(1);
  });

  it('a refund worth more credits than the threshold waits for a second admin', async () => {
    const customer = await h.signup();
    const intent = await paidPurchase(customer, 2);
    const credited = await balance(h, customer.id);
    const res = await post(admin, `/api/admin/payments/${intent.paymentId}/refund`, {
      reason: 'correction',
      note: NOTE,
    });
    expect(res.status).toBe(202);
    await h.emulator.control.waitForIdle();
    expect(await balance(h, customer.id)).toBe(credited);
    expect(
      (await post(admin, `/api/admin/approvals/${res.body.approval.id}/approve`, {})).status,
    ).toBe(403);
    const approved = await post(admin2, `/api/admin/approvals/${res.body.approval.id}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.audit.map((a: { action: string }) => a.action)).toEqual([
      'approval_approved',
      'refund_payment',
    ]);
    await h.emulator.control.waitForIdle();
    expect(await clawbacks(intent.paymentId)).toBe(1);
    expect(await balance(h, customer.id)).toBeLessThan(credited);
  });

  it('refuses a payment that was never paid', async () => {
    const customer = await h.signup();
    const intent = await startPurchase(h, customer);
    const res = await post(admin, `/api/admin/payments/${intent.paymentId}/refund`, {
      reason: 'goodwill',
      note: NOTE,
    });
    expect(res.status).toBe(409);
    expect(
      (await post(admin, '/api/admin/payments/nope/refund', { reason: 'goodwill', note: NOTE }))
        .status,
    ).toBe(404);
  });
});

describe('stuck videos', () => {
  it('fail-and-refund: the video fails, its render stops, its credits come back once', async () => {
    const customer = await h.signup();
    const video = (await generate(h, customer)).body.video as { id: string; creditsUsed: number };
    await waitFor(() => gate.isRendering(video.id));
    const before = await balance(h, customer.id);
    expect((await post(support, `/api/admin/videos/${video.id}/fail`)).status).toBe(403);
    expect((await post(admin, `/api/admin/videos/${video.id}/fail`, { note: '' })).status).toBe(
      400,
    );
    // It is rendering right now: requeueing it is refused, failing it is not.
    expect((await post(admin, `/api/admin/videos/${video.id}/requeue`)).status).toBe(409);
    const res = await post(admin, `/api/admin/videos/${video.id}/fail`, {
      reason: 'job_refund',
      note: 'Renderer hung for 2 h',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.audit[0]).toMatchObject({
      action: 'fail_video',
      targetType: 'video',
      targetId: video.id,
      reason: 'job_refund',
      amount: video.creditsUsed,
      balanceBefore: before,
      balanceAfter: before + video.creditsUsed,
    });
    await waitFor(() => !gate.isRendering(video.id));
    const seen = await waitForTerminal(h, customer, video.id);
    expect(seen).toMatchObject({ status: 'failed', creditsRefunded: video.creditsUsed });
    const again = await post(admin, `/api/admin/videos/${video.id}/fail`);
    expect(again.status).toBe(409);
    expect(await balance(h, customer.id)).toBe(before + video.creditsUsed);
    expect((await post(admin, '/api/admin/videos/nope/fail')).status).toBe(404);
  });

  it('requeue: a video left in processing with no render goes back to the queue', async () => {
    const customer = await h.signup();
    // Charged through the store and marked processing with no render behind it, as a job
    // whose result could not be recorded is left (a live lease, where leases exist, keeps
    // any lease reaper away from it).
    const id = await seedVideo(h, customer.id, 1);
    await h.data.orphanVideo({ videoId: id });
    expect(gate.isRendering(id)).toBe(false);
    const transactions = (await snapshot(h)).transactions;
    const res = await post(admin, `/api/admin/videos/${id}/requeue`, {
      reason: 'job_refund',
      note: 'Result never recorded',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.audit[0]).toMatchObject({ action: 'requeue_video', targetId: id });
    // The worker picks it up again; no money moved.
    await waitFor(() => gate.isRendering(id));
    await gate.succeed(id);
    expect((await waitForTerminal(h, customer, id)).status).toBe('completed');
    expect((await snapshot(h)).transactions).toBe(transactions);
    expect((await post(admin, `/api/admin/videos/${id}/requeue`)).status).toBe(409);
    expect((await post(admin, '/api/admin/videos/nope/requeue')).status).toBe(404);
  });
});

describe('sessions and disabled accounts', () => {
  it('revoke sessions: every token of the customer stops working', async () => {
    const customer = await h.signup();
    const second = await h.startSession(customer.id);
    const res = await post(admin, `/api/admin/customers/${customer.id}/revoke-sessions`, {
      reason: 'correction',
      note: 'Customer reported a stolen laptop',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revoked: 2 });
    expect(res.body.audit[0]).toMatchObject({ action: 'revoke_sessions', details: { revoked: 2 } });
    expect((await h.http().get('/api/credits/balance').set(customer.auth)).status).toBe(401);
    const other = await h
      .http()
      .get('/api/credits/balance')
      .set({ Authorization: `Bearer ${second.token}` });
    expect(other.status).toBe(401);
    // Signing in again works: revoking is not disabling.
    const login = await h
      .http()
      .post('/api/auth/login')
      .send({ email: customer.email, password: customer.password });
    expect(login.status).toBe(200);
  });

  it('disable: no sign-in, no spending, no buying; webhooks still settle; enable restores', async () => {
    const customer = await h.signup();
    const pending = await startPurchase(h, customer);
    const before = await snapshot(h);
    expect((await post(admin, `/api/admin/customers/${admin.id}/disable`)).status).toBe(403);
    expect(await snapshot(h)).toEqual(before);

    const res = await post(admin, `/api/admin/customers/${customer.id}/disable`, {
      reason: 'chargeback',
      note: 'Fraud ring',
    });
    expect(res.status).toBe(200);
    expect(res.body.audit[0]).toMatchObject({ action: 'disable_account', reason: 'chargeback' });
    expect((await post(admin, `/api/admin/customers/${customer.id}/disable`)).status).toBe(409);

    expect((await generate(h, customer)).status).toBe(401);
    const buy = await h
      .http()
      .post('/api/payments/create-intent')
      .set(customer.auth)
      .send({ packageId: 1 });
    expect(buy.status).toBe(401);
    const login = await h
      .http()
      .post('/api/auth/login')
      .send({ email: customer.email, password: customer.password });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('ACCOUNT_DISABLED');
    const wrong = await h
      .http()
      .post('/api/auth/login')
      .send({ email: customer.email, password: 'wrong password 1' });
    expect(wrong.status).toBe(401);

    // A payment the customer had already started still settles when Stripe reports it.
    const credited = await balance(h, customer.id);
    await pay(h, pending.paymentIntentId);
    await h.emulator.control.waitForIdle();
    expect(await balance(h, customer.id)).toBeGreaterThan(credited);

    const enabled = await post(admin, `/api/admin/customers/${customer.id}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body.audit[0].action).toBe('enable_account');
    const again = await h
      .http()
      .post('/api/auth/login')
      .send({ email: customer.email, password: customer.password });
    expect(again.status).toBe(200);
    expect((await post(admin, `/api/admin/customers/${customer.id}/enable`)).status).toBe(409);
  });

  it('signed webhooks for a disabled customer are accepted', async () => {
    const customer = await h.signup();
    await post(admin, `/api/admin/customers/${customer.id}/disable`);
    const { payload, header } = signedEvent(h, {
      id: 'evt_admin_disabled_1',
      object: 'event',
      type: 'payment_intent.created',
      data: { object: { id: 'pi_unknown_admin', object: 'payment_intent' } },
    });
    const res = await postWebhook(h, payload, header);
    expect(res.status).toBeLessThan(300);
  });
});
