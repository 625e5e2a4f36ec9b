import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { createStripeEmulator, signatureHeader } from '../src/index.ts';
import {
  raw,
  sleep,
  startHarness,
  startReceiver,
  stripeClient,
  WEBHOOK_SECRET,
  type Harness,
} from './helpers.ts';

const verifier = new Stripe('sk_test_unused');
let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function payment(amount = 1000) {
  return h.stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    payment_method: 'pm_card_visa',
    confirm: true,
  });
}

describe('signing', () => {
  it('deliveries verify with stripe.webhooks.constructEvent; tampering is rejected', async () => {
    h = await startHarness();
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const [delivery] = await h.receiver.waitFor(1);
    if (!delivery) throw new Error('no delivery');
    expect(delivery.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(delivery.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    const event = verifier.webhooks.constructEvent(
      delivery.body,
      delivery.signature,
      WEBHOOK_SECRET,
    );
    expect(event.type).toBe('payment_intent.created');
    expect((event.data.object as { id: string }).id).toBe(pi.id);

    const tampered = delivery.body.replace('"amount": 1000', '"amount": 1');
    expect(tampered).not.toBe(delivery.body);
    expect(() =>
      verifier.webhooks.constructEvent(tampered, delivery.signature, WEBHOOK_SECRET),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() =>
      verifier.webhooks.constructEvent(delivery.body, delivery.signature, 'whsec_other'),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('signatureHeader matches stripe-node’s own test header generator', () => {
    const payload = '{"id":"evt_1"}';
    const expected = verifier.webhooks.generateTestHeaderString({
      payload,
      secret: WEBHOOK_SECRET,
      timestamp: 1700000000,
    });
    expect(signatureHeader(payload, WEBHOOK_SECRET, 1700000000)).toBe(expected);
  });
});

describe('event objects', () => {
  it('look like Stripe’s and snapshot the object at creation time', async () => {
    h = await startHarness();
    const pi = await h.stripe.paymentIntents.create(
      { amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true },
      { idempotencyKey: 'evt-shape' },
    );
    await h.emulator.control.waitForIdle();
    const [created, charge, succeeded] = h.receiver.received.map((r) => r.event);
    expect(created).toMatchObject({
      object: 'event',
      livemode: false,
      pending_webhooks: 1,
      type: 'payment_intent.created',
      request: { idempotency_key: 'evt-shape' },
    });
    expect(created?.id).toMatch(/^evt_/);
    expect(created?.api_version).toEqual(expect.any(String));
    expect(created?.created).toEqual(expect.any(Number));
    expect((created?.request as { id: string }).id).toMatch(/^req_/);
    // Snapshot: the created event still shows the pre-payment state.
    expect(created?.data.object).toMatchObject({ id: pi.id, status: 'requires_confirmation' });
    expect(charge?.data.object).toMatchObject({ object: 'charge', status: 'succeeded' });
    expect(succeeded?.data.object).toMatchObject({ id: pi.id, status: 'succeeded' });

    const fetched = await h.stripe.events.retrieve(String(created?.id));
    expect(fetched.data.object).toEqual(created?.data.object);
    expect(fetched.pending_webhooks).toBe(0);
  });

  it('are listed newest first, filterable by type (with wildcard) and created', async () => {
    h = await startHarness();
    await payment();
    await payment();
    const all = await h.stripe.events.list();
    expect(all.data.map((e) => e.type)).toEqual([
      'payment_intent.succeeded',
      'charge.succeeded',
      'payment_intent.created',
      'payment_intent.succeeded',
      'charge.succeeded',
      'payment_intent.created',
    ]);
    const charges = await h.stripe.events.list({ type: 'charge.succeeded' });
    expect(charges.data).toHaveLength(2);
    const pis = await h.stripe.events.list({ type: 'payment_intent.*' });
    expect(pis.data).toHaveLength(4);
    const later = await h.stripe.events.list({
      created: { gte: Math.floor(Date.now() / 1000) + 60 },
    });
    expect(later.data).toHaveLength(0);
  });
});

describe('delivery', () => {
  it('delivers in creation order, outside the API request', async () => {
    h = await startHarness();
    // A slow endpoint must not slow the API down.
    h.receiver.respond = () => sleep(300).then(() => 200);
    const started = Date.now();
    await payment();
    expect(Date.now() - started).toBeLessThan(250);
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
  });

  it('pause holds events; resume delivers them in order', async () => {
    h = await startHarness();
    h.emulator.control.pauseDelivery();
    await payment();
    await h.emulator.control.waitForIdle();
    await sleep(50);
    expect(h.receiver.received).toHaveLength(0);
    expect(h.emulator.control.pendingEvents().map((e) => e.type)).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
    h.emulator.control.resumeDelivery();
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
    ]);
    expect(h.emulator.control.pendingEvents()).toEqual([]);
  });

  it('deliver(id, { times: 2 }) sends a duplicate; deliver can reorder', async () => {
    h = await startHarness();
    h.emulator.control.pauseDelivery();
    await payment();
    const pending = h.emulator.control.pendingEvents();
    const [created, charge, succeeded] = pending;
    if (!created || !charge || !succeeded) throw new Error('expected three events');

    const attempts = await h.emulator.control.deliver(succeeded.id, { times: 2 });
    expect(attempts.map((a) => [a.status, a.attempt, a.manual])).toEqual([
      [200, 1, true],
      [200, 2, true],
    ]);
    await h.emulator.control.deliver(created.id);
    expect(h.receiver.types()).toEqual([
      'payment_intent.succeeded',
      'payment_intent.succeeded',
      'payment_intent.created',
    ]);
    // Manually delivered events leave the queue; the rest wait for resume.
    expect(h.emulator.control.pendingEvents().map((e) => e.id)).toEqual([charge.id]);
    h.emulator.control.resumeDelivery();
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types().at(-1)).toBe('charge.succeeded');
    for (const r of h.receiver.received) {
      expect(() =>
        verifier.webhooks.constructEvent(r.body, r.signature, WEBHOOK_SECRET),
      ).not.toThrow();
    }
  });

  it('dropNext(n) creates but never delivers; redeliver sends it later', async () => {
    h = await startHarness();
    h.emulator.control.dropNext(1);
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await h.stripe.paymentIntents.cancel(pi.id);
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toEqual(['payment_intent.canceled']);
    const listed = await h.stripe.events.list({ type: 'payment_intent.created' });
    expect(listed.data).toHaveLength(1);
    const dropped = listed.data[0];
    expect(dropped?.pending_webhooks).toBe(1);
    expect(h.emulator.control.deliveryLog[0]).toMatchObject({
      eventId: dropped?.id,
      dropped: true,
      status: null,
    });

    h.emulator.control.redeliver(String(dropped?.id));
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toEqual(['payment_intent.canceled', 'payment_intent.created']);
  });

  it('dropRate drops a seeded, repeatable subset', async () => {
    const run = async () => {
      const receiver = await startReceiver();
      const emulator = createStripeEmulator({
        webhookSecret: WEBHOOK_SECRET,
        webhookUrl: receiver.url,
      });
      const { port } = await emulator.listen();
      emulator.control.dropRate(0.5, 1234);
      const stripe = stripeClient(port);
      for (let i = 0; i < 12; i++)
        await stripe.paymentIntents.create({ amount: 100, currency: 'usd' });
      await emulator.control.waitForIdle();
      // Which events (by creation position) were dropped; independent of delivery timing.
      const log = emulator.control.deliveryLog;
      const dropped = emulator.control
        .listAll()
        .events.map((e) => log.some((entry) => entry.eventId === e.id && entry.dropped));
      await emulator.close();
      await receiver.close();
      return { dropped, delivered: receiver.received.length };
    };
    const a = await run();
    const b = await run();
    expect(a.dropped).toEqual(b.dropped);
    expect(a.delivered).toBeGreaterThan(0);
    expect(a.delivered).toBeLessThan(12);
  });

  it('retries non-2xx responses with backoff, logging each attempt', async () => {
    h = await startHarness({ deliveryRetries: 3 });
    h.receiver.respond = (_r, index) => (index < 2 ? 500 : 200);
    await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await h.emulator.control.waitForIdle();
    expect(h.emulator.control.deliveryLog.map((e) => [e.attempt, e.status, e.ok])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 200, true],
    ]);
    const ids = new Set(h.receiver.received.map((r) => r.event.id));
    expect(ids.size).toBe(1);
  });

  it('gives up after deliveryRetries and reports network errors', async () => {
    h = await startHarness({ deliveryRetries: 1 });
    h.receiver.respond = () => 400;
    await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await h.emulator.control.waitForIdle();
    expect(h.emulator.control.deliveryLog.map((e) => e.status)).toEqual([400, 400]);

    h.emulator.control.reset();
    h.emulator.setWebhookUrl('http://127.0.0.1:9/unreachable');
    await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await h.emulator.control.waitForIdle();
    const log = h.emulator.control.deliveryLog;
    expect(log).toHaveLength(2);
    expect(log[0]?.status).toBeNull();
    expect(log[0]?.error).toEqual(expect.any(String));
  });

  it('holds events while no webhook URL is set and sends them once one is', async () => {
    h = await startHarness();
    h.emulator.setWebhookUrl(null);
    await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    await h.emulator.control.waitForIdle();
    expect(h.receiver.received).toHaveLength(0);
    expect(h.emulator.control.pendingEvents()).toHaveLength(1);
    h.emulator.setWebhookUrl(h.receiver.url);
    await h.emulator.control.waitForIdle();
    expect(h.receiver.types()).toEqual(['payment_intent.created']);
  });

  it('delivery controls are available over HTTP', async () => {
    h = await startHarness();
    expect((await raw(h.url, '/_emulator/delivery/pause', { form: '' })).status).toBe(200);
    await h.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const pending = await raw(h.url, '/_emulator/delivery/pending');
    const [event] = pending.body.data as Array<{ id: string }>;
    const delivered = await raw(h.url, `/_emulator/events/${String(event?.id)}/deliver`, {
      form: 'times=2',
    });
    expect((delivered.body.data as unknown[]).length).toBe(2);
    expect(h.receiver.received).toHaveLength(2);
    const idle = await raw(h.url, '/_emulator/delivery/wait_idle', { form: '' });
    expect(idle.body).toEqual({ idle: true });
  });

  it('reset forgets objects, events and logs', async () => {
    h = await startHarness();
    await payment();
    await h.emulator.control.waitForIdle();
    h.emulator.control.reset();
    expect(h.emulator.control.listAll().paymentIntents).toEqual([]);
    expect(h.emulator.control.requestLog).toEqual([]);
    expect(h.emulator.control.deliveryLog).toEqual([]);
    expect((await h.stripe.events.list()).data).toEqual([]);
  });
});
