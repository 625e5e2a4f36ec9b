import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, raw, startHarness, type Harness } from './helpers.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function paid(amount = 1000) {
  return h.stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    confirm: true,
  });
}

describe('refunds', () => {
  it('partial then full refund: cumulative amount_refunded, charge.refunded + refund.created', async () => {
    const pi = await paid(1000);
    const chargeId = String(pi.latest_charge);

    const partial = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 300 });
    expect(partial).toMatchObject({
      object: 'refund',
      amount: 300,
      charge: chargeId,
      payment_intent: pi.id,
      status: 'succeeded',
      currency: 'usd',
    });
    expect(partial.id).toMatch(/^re_/);
    let charge = await h.stripe.charges.retrieve(chargeId);
    expect(charge).toMatchObject({ amount_refunded: 300, refunded: false });

    const rest = await h.stripe.refunds.create({ charge: chargeId });
    expect(rest.amount).toBe(700);
    charge = await h.stripe.charges.retrieve(chargeId);
    expect(charge).toMatchObject({ amount_refunded: 1000, refunded: true });

    expect((await h.stripe.refunds.retrieve(partial.id)).amount).toBe(300);
    const listed = await h.stripe.refunds.list({ payment_intent: pi.id });
    expect(listed.data.map((r) => r.id)).toEqual([rest.id, partial.id]);

    await h.emulator.control.waitForIdle();
    const refundedEvents = h.receiver.received.filter((r) => r.event.type === 'charge.refunded');
    expect(refundedEvents.map((r) => r.event.data.object.amount_refunded)).toEqual([300, 1000]);
    expect(refundedEvents.map((r) => r.event.data.object.refunded)).toEqual([false, true]);
    expect(refundedEvents[0]?.event.data).toMatchObject({
      previous_attributes: { amount_refunded: 0, refunded: false },
    });
    expect(h.receiver.types().filter((t) => t === 'refund.created')).toHaveLength(2);
    expect(h.receiver.types().slice(-4)).toEqual([
      'charge.refunded',
      'refund.created',
      'charge.refunded',
      'refund.created',
    ]);
    // The PaymentIntent itself stays succeeded.
    expect((await h.stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it('rejects refunds larger than what remains, and of a fully refunded charge', async () => {
    const pi = await paid(1000);
    await h.stripe.refunds.create({ payment_intent: pi.id, amount: 600 });
    const tooLarge = await errorOf(() =>
      h.stripe.refunds.create({ payment_intent: pi.id, amount: 500 }),
    );
    expect(tooLarge.statusCode).toBe(400);
    expect(tooLarge.code).toBe('amount_too_large');
    expect(tooLarge.param).toBe('amount');
    expect(tooLarge.message).toContain('$4.00');

    await h.stripe.refunds.create({ payment_intent: pi.id });
    const again = await errorOf(() => h.stripe.refunds.create({ payment_intent: pi.id }));
    expect(again.code).toBe('charge_already_refunded');
  });

  it('rejects refunding an unpaid PaymentIntent or an unknown charge', async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const unpaid = await errorOf(() => h.stripe.refunds.create({ payment_intent: pi.id }));
    expect(unpaid.statusCode).toBe(400);
    expect(unpaid.param).toBe('payment_intent');
    const unknown = await errorOf(() => h.stripe.refunds.create({ charge: 'ch_nope' }));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.code).toBe('resource_missing');
    const neither = await errorOf(() => h.stripe.refunds.create({}));
    expect(neither.statusCode).toBe(400);
  });
});

describe('disputes', () => {
  it('createDispute emits charge.dispute.created and marks the charge disputed', async () => {
    const pi = await paid(2500);
    const dispute = h.emulator.control.createDispute({ paymentIntentId: pi.id });
    expect(dispute).toMatchObject({
      object: 'dispute',
      amount: 2500,
      charge: pi.latest_charge,
      payment_intent: pi.id,
      status: 'needs_response',
      reason: 'fraudulent',
      currency: 'usd',
      livemode: false,
    });
    expect(dispute.id).toMatch(/^dp_/);
    const charge = await h.stripe.charges.retrieve(String(pi.latest_charge));
    expect(charge.disputed).toBe(true);
    await h.emulator.control.waitForIdle();
    const created = h.receiver.received.at(-1);
    expect(created?.event.type).toBe('charge.dispute.created');
    expect(created?.event.data.object).toMatchObject({ id: dispute.id, status: 'needs_response' });
    expect(created?.event.request).toEqual({ id: null, idempotency_key: null });

    // A disputed charge cannot be refunded, nor disputed twice.
    const refund = await errorOf(() => h.stripe.refunds.create({ payment_intent: pi.id }));
    expect(refund.code).toBe('charge_disputed');
    expect(() => h.emulator.control.createDispute({ chargeId: String(pi.latest_charge) })).toThrow(
      /already has a dispute/,
    );
    expect((await h.stripe.disputes.retrieve(dispute.id)).status).toBe('needs_response');
  });

  it.each(['won', 'lost'] as const)(
    'closeDispute %s emits charge.dispute.closed',
    async (outcome) => {
      const pi = await paid(1000);
      const dispute = h.emulator.control.createDispute({
        chargeId: String(pi.latest_charge),
        reason: 'product_not_received',
      });
      const closed = h.emulator.control.closeDispute(dispute.id, outcome);
      expect(closed.status).toBe(outcome);
      await h.emulator.control.waitForIdle();
      const last = h.receiver.received.at(-1);
      expect(last?.event.type).toBe('charge.dispute.closed');
      expect(last?.event.data.object).toMatchObject({
        id: dispute.id,
        status: outcome,
        reason: 'product_not_received',
      });
      expect(() => h.emulator.control.closeDispute(dispute.id, 'won')).toThrow(/already closed/);
    },
  );

  it('a fully refunded charge can still be disputed, for the whole amount', async () => {
    const pi = await paid(2499);
    await h.stripe.refunds.create({ payment_intent: pi.id, amount: 750 });
    await h.stripe.refunds.create({ payment_intent: pi.id });
    const dispute = h.emulator.control.createDispute({ paymentIntentId: pi.id });
    expect(dispute.amount).toBe(2499);
  });

  it('test card 4000000000000259 succeeds and is then disputed', async () => {
    const pi = await h.stripe.paymentIntents.create({
      amount: 1200,
      currency: 'usd',
      payment_method: 'pm_card_createDispute',
      confirm: true,
    });
    expect(pi.status).toBe('succeeded');
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'charge.dispute.created',
    ]);
  });

  it('is drivable over HTTP from another process', async () => {
    const pi = await paid(1000);
    const created = await raw(h.url, '/_emulator/disputes', {
      form: `payment_intent=${pi.id}&reason=duplicate`,
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'dispute', reason: 'duplicate' });
    const closed = await raw(h.url, `/_emulator/disputes/${String(created.body.id)}/close`, {
      json: { outcome: 'lost' },
    });
    expect(closed.body.status).toBe('lost');
    const pk = await raw(h.url, '/_emulator/disputes', {
      key: 'pk_test_emulator',
      form: `payment_intent=${pi.id}`,
    });
    expect(pk.status).toBe(403);
  });
});
