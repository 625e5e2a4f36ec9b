import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_PACKAGES, totalCredits } from '@app/shared';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';
import { balanceOf, pay, signedEvent, startPurchase } from '../helpers/payments.ts';
import { percentile, raw, rowCounts } from './security-helpers.ts';

/** S6: 50 concurrent signed deliveries of distinct events answer 2xx quickly. */

const DELIVERIES = 50;
const USERS = 5;
let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  h.emulator.control.resumeDelivery();
  await h.emulator.control.waitForIdle();
  await h.assertInvariants();
  await h.close();
});

describe('S6: concurrent signed deliveries', () => {
  it(`${DELIVERIES} distinct events at once: all 2xx, p99 under 1 s, each payment credited once`, async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < USERS; i += 1) users.push(await h.signup());
    // The emulator's own deliveries are held back so that ours are the first word on each payment.
    h.emulator.control.pauseDelivery();
    const intents: { user: TestUser; paymentIntentId: string }[] = [];
    for (let i = 0; i < DELIVERIES; i += 1) {
      const user = users[i % USERS]!;
      const intent = await startPurchase(h, user, 1);
      await pay(h, intent.paymentIntentId);
      intents.push({ user, paymentIntentId: intent.paymentIntentId });
    }
    const events = await Promise.all(
      intents.map(async ({ paymentIntentId }) => {
        const pi = await h.stripe.paymentIntents.retrieve(paymentIntentId);
        return signedEvent(h, {
          id: `evt_s6_${randomUUID()}`,
          object: 'event',
          type: 'payment_intent.succeeded',
          api_version: '2025-01-27.acacia',
          created: Math.floor(Date.now() / 1000),
          livemode: false,
          data: { object: pi },
        });
      }),
    );

    const before = await rowCounts(h);
    const started = performance.now();
    const results = await Promise.all(
      events.map(({ payload, header }) =>
        raw(h, '/api/payments/webhook', { body: payload, headers: { 'Stripe-Signature': header } }),
      ),
    );
    const wall = performance.now() - started;
    const latencies = results.map((r) => r.ms);
    const p99 = percentile(latencies, 99);
    console.log(
      `S6: ${DELIVERIES} concurrent deliveries in ${wall.toFixed(0)} ms; p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
    );
    for (const r of results) {
      expect(r.status, r.text).toBe(200);
      expect((r.json as { outcome: string }).outcome).toBe('credited');
    }
    expect(p99).toBeLessThan(1000);
    const after = await rowCounts(h);
    expect(after.stripe_events - before.stripe_events).toBe(DELIVERIES);
    expect(after.transactions - before.transactions).toBe(DELIVERIES);

    // The same 50 again, concurrently: duplicates, still 2xx, nothing changes.
    const again = await Promise.all(
      events.map(({ payload, header }) =>
        raw(h, '/api/payments/webhook', { body: payload, headers: { 'Stripe-Signature': header } }),
      ),
    );
    for (const r of again) {
      expect(r.status).toBe(200);
      expect((r.json as { outcome: string }).outcome).toBe('duplicate_event');
    }
    expect(
      percentile(
        again.map((r) => r.ms),
        99,
      ),
    ).toBeLessThan(1000);
    expect(await rowCounts(h)).toEqual(after);

    // Stripe's own deliveries of the same payments arrive late: they credit nothing more.
    h.emulator.control.resumeDelivery();
    await h.emulator.control.waitForIdle();
    const starter = totalCredits(CREDIT_PACKAGES[0]!);
    for (const user of users) {
      expect(await balanceOf(h, user)).toBe(10 + (DELIVERIES / USERS) * starter);
    }
  });
});
