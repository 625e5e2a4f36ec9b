import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/services/context.ts';
import type { SeededMail } from '../../src/store/test-data.ts';
import { pruneWebhookEvents } from '../../src/services/pruning/prune-webhook-events.ts';
import { runPruning } from '../../src/services/pruning/schedule-pruning.ts';
import { createHarness, type Harness } from '../helpers/harness.ts';
import { balanceOf, pay, postWebhook, signedEvent, startPurchase } from '../helpers/payments.ts';

const RETENTION_DAYS = 4;
const DAY_MS = 86_400_000;

let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    WEBHOOK_EVENT_RETENTION_DAYS: String(RETENTION_DAYS),
    IDEMPOTENCY_KEY_TTL_HOURS: '24',
  });
});
afterAll(async () => {
  await h.assertInvariants();
  await h.close();
});

/** The service context with the clock moved: time is simulated, never waited for. */
const at = (clock: Date): ServiceContext => ({ ...h.deps.ctx, now: () => clock });
const count = (table: 'stripe_events' | 'idempotency_keys') => h.data.countRows({ table });

describe('webhook events are pruned after their retention, and a replay still credits once', () => {
  it('an event replayed after its record was pruned does not credit twice', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    h.emulator.control.pauseDelivery();
    await pay(h, intent.paymentIntentId);
    const event = {
      id: 'evt_replayed_after_pruning',
      object: 'event',
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: {
        object: {
          id: intent.paymentIntentId,
          object: 'payment_intent',
          amount: intent.amountCents,
          amount_received: intent.amountCents,
          currency: 'usd',
          status: 'succeeded',
          metadata: { payment_id: intent.paymentId },
        },
      },
    };
    const first = signedEvent(h, event);
    const applied = await postWebhook(h, first.payload, first.header);
    expect(applied.body.outcome).toBe('credited');
    const credited = await balanceOf(h, user);

    // Inside the retention the id itself answers the duplicate.
    const again = signedEvent(h, event);
    expect((await postWebhook(h, again.payload, again.header)).body.outcome).toBe(
      'duplicate_event',
    );

    // Past the retention the record is gone...
    const later = new Date(Date.now() + (RETENTION_DAYS + 1) * DAY_MS);
    expect(await pruneWebhookEvents({ ctx: at(later) })).toBeGreaterThanOrEqual(1);
    expect(await h.data.countRows({ table: 'stripe_events', where: { id: event.id } })).toBe(0);

    // ...and a replay (Stripe re-signs each attempt) is applied as new, yet changes nothing.
    const replay = signedEvent(h, event);
    const res = await postWebhook(h, replay.payload, replay.header);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('no_change');
    expect(await balanceOf(h, user)).toBe(credited);
    const purchases = await h.data.countRows({
      table: 'transactions',
      where: { type: 'purchase', reference_type: 'payment', reference_id: intent.paymentId },
    });
    expect(purchases).toBe(1);

    h.emulator.control.resumeDelivery();
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(credited);
  });

  it('a simulated week of traffic keeps webhook events and idempotency keys bounded', async () => {
    const user = await h.signup();
    await h.data.clearPrunable({ tables: ['stripe_events', 'idempotency_keys'] });
    const TICK_MS = 15 * 60_000; // the pruning interval of main.ts
    const PER_TICK = 20; // webhook events and idempotency keys each: 1,920 a day
    const TICKS_PER_DAY = DAY_MS / TICK_MS;
    const start = new Date('2030-01-01T00:00:00Z').getTime();
    const sizes: { day: number; events: number; keys: number }[] = [];
    for (let tick = 0; tick < 7 * TICKS_PER_DAY; tick++) {
      const clock = new Date(start + tick * TICK_MS);
      const now = clock.toISOString();
      // One tick's traffic, written in one event-loop turn (one group commit).
      await Promise.all(
        Array.from({ length: PER_TICK }, (_, i) =>
          h.store.recordStripeEvent({
            id: `evt_sim_${tick}_${i}`,
            type: 'customer.created',
            outcome: 'ignored',
            now,
          }),
        ),
      );
      const request = (i: number) => ({
        userId: user.id,
        scope: 'video.generate',
        key: `sim-${tick}-${i}`,
      });
      await Promise.all(
        Array.from({ length: PER_TICK }, (_, i) =>
          h.store.beginIdempotentRequest({
            ...request(i),
            requestHash: 'h',
            now,
            staleBefore: now,
          }),
        ),
      );
      await Promise.all(
        Array.from({ length: PER_TICK }, (_, i) =>
          h.store.completeIdempotentRequest({ ...request(i), status: 202, body: '{}', now }),
        ),
      );
      await runPruning({ ctx: at(clock) });
      if ((tick + 1) % TICKS_PER_DAY === 0) {
        sizes.push({
          day: (tick + 1) / TICKS_PER_DAY,
          events: await count('stripe_events'),
          keys: await count('idempotency_keys'),
        });
      }
    }
    // Each table holds one retention window of traffic (plus the tick being written) and
    // stops growing once the window is full: day 1 for keys, day RETENTION_DAYS for events.
    const eventBound = PER_TICK * (RETENTION_DAYS * TICKS_PER_DAY + 1);
    const keyBound = PER_TICK * (TICKS_PER_DAY + 1);
    for (const s of sizes) {
      expect(s.events).toBeLessThanOrEqual(eventBound);
      expect(s.keys).toBeLessThanOrEqual(keyBound);
    }
    // Once the window is full, the size no longer changes: what is written each tick is
    // what falls out of the window. Steady state = rate × retention (+ the tick being
    // written): 7,700 events (1,920 a day × 4 days) and 1,940 keys (one day).
    expect(sizes.filter((s) => s.day > RETENTION_DAYS).map((s) => s.events)).toEqual(
      Array(7 - RETENTION_DAYS).fill(eventBound),
    );
    expect(sizes.filter((s) => s.day > 1).map((s) => s.keys)).toEqual(Array(6).fill(keyBound));
  }, 120_000);
});

describe('the mail outbox keeps one retention window of finished mail', () => {
  it('old sent and given-up mail is pruned; pending mail and recent mail stay', async () => {
    const user = await h.signup();
    const old = new Date(Date.now() - 40 * DAY_MS).toISOString();
    const recent = new Date(Date.now() - 2 * DAY_MS).toISOString();
    const rows: Array<[string, SeededMail['state'], string]> = [
      ['old-sent', 'sent', old],
      ['old-failed', 'failed', old],
      ['old-canceled', 'canceled', old],
      ['old-pending', 'pending', old],
      ['recent-sent', 'sent', recent],
    ];
    const mail: SeededMail[] = rows.map(([id, state, createdAt]) => ({
      userId: user.id,
      messageId: `<${id}@test>`,
      state,
      createdAt,
    }));
    for (let i = 0; i < 1_200; i += 1)
      mail.push({ userId: user.id, messageId: `<bulk-${i}@test>`, state: 'sent', createdAt: old });
    await h.data.seedMail({ mail });

    const deleted = await runPruning({ ctx: h.deps.ctx });

    expect(deleted['finished mail']).toBe(1_203);
    const left = (
      await h.data.rows({
        table: 'mail_outbox',
        columns: ['message_id'],
        where: { message_id: { like: '<%@test>' } },
        orderBy: 'message_id',
      })
    ).map((r) => r.message_id);
    expect(left).toEqual(['<old-pending@test>', '<recent-sent@test>']);
  });
});
