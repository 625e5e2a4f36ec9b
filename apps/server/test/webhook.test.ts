import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, tableCounts, type Harness, type TestUser } from './helpers/harness.ts';
import { seedVideo } from './helpers/ledger-ops.ts';
import {
  balanceOf,
  chargeOf,
  pay,
  postWebhook,
  signedEvent,
  startPurchase,
} from './helpers/payments.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterEach(async () => {
  h.emulator.control.resumeDelivery();
  await h.emulator.control.waitForIdle();
  await h.assertInvariants();
});
afterAll(async () => h.close());

/** Buys Pro with delivery paused and returns the events Stripe would have sent. */
async function paidWithHeldEvents(user: TestUser) {
  const intent = await startPurchase(h, user);
  h.emulator.control.pauseDelivery();
  await pay(h, intent.paymentIntentId);
  return intent;
}

function piEvent(
  id: string,
  overrides: Record<string, unknown> = {},
  type = 'payment_intent.succeeded',
) {
  return {
    id: `evt_test_${Math.random().toString(36).slice(2)}`,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id,
        object: 'payment_intent',
        amount: 2499,
        amount_received: 2499,
        currency: 'usd',
        status: 'succeeded',
        metadata: {},
        ...overrides,
      },
    },
  };
}

describe('webhook signature matrix (S1)', () => {
  let intent: { paymentIntentId: string };
  let user: TestUser;
  beforeAll(async () => {
    user = await h.signup();
    intent = await startPurchase(h, user);
    await h.emulator.control.waitForIdle();
  });

  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['one byte tampered', (p: string, hd: string) => [p.replace('2499', '2498'), hd]],
    ['re-serialised JSON', (p: string, hd: string) => [JSON.stringify(JSON.parse(p), null, 2), hd]],
    [
      'wrong secret',
      (p: string) => [
        p,
        h.stripe.webhooks.generateTestHeaderString({ payload: p, secret: 'whsec_wrong' }),
      ],
    ],
    ['missing header', (p: string) => [p, undefined]],
    ['v0 only', (p: string, hd: string) => [p, hd.replace('v1=', 'v0=')]],
    ['garbage header', (p: string) => [p, 'nonsense']],
  ] as const)('%s: 400 and no change', async (_name, mutate) => {
    const before = await tableCounts(h);
    const { payload, header } = signedEvent(h, piEvent(intent.paymentIntentId));
    const [p, hd] = mutate(payload, header) as [string, string | undefined];
    const res = await postWebhook(h, p, hd);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_SIGNATURE');
    expect(await tableCounts(h)).toEqual(before);
    expect(await balanceOf(h, user)).toBe(10);
  });

  it.each([
    [-301, 400],
    [301, 400],
    [-299, 200],
  ])('timestamp now%+i s: %i', async (offset, status) => {
    const { payload, header } = signedEvent(h, piEvent('pi_unknown_for_timing'), now() + offset);
    const res = await postWebhook(h, payload, header);
    expect(res.status).toBe(status);
  });

  it('accepts a valid signature', async () => {
    const { payload, header } = signedEvent(h, piEvent('pi_unknown_valid'));
    const res = await postWebhook(h, payload, header);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('unknown_payment');
  });
});

describe('what the webhook does with events', () => {
  it('records an unknown PaymentIntent, credits nothing and answers 2xx (S3)', async () => {
    const total = () => h.data.sum({ table: 'users', column: 'credit_balance' });
    const before = await total();
    const { payload, header } = signedEvent(h, piEvent('pi_does_not_exist'));
    const res = await postWebhook(h, payload, header);
    expect(res.status).toBe(200);
    expect(await total()).toBe(before);
    const recorded = await h.data.countRows({
      table: 'stripe_events',
      where: { outcome: 'unknown_payment' },
    });
    expect(recorded).toBeGreaterThan(0);
  });

  it.each([
    ['amount_received', { amount_received: 1 }],
    ['currency', { currency: 'eur' }],
  ])('credits nothing when the %s differs from the payment (S3)', async (_field, overrides) => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    const { payload, header } = signedEvent(h, piEvent(intent.paymentIntentId, overrides));
    const res = await postWebhook(h, payload, header);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('amount_mismatch');
    expect(await balanceOf(h, user)).toBe(10);
    const [{ anomaly }] = (await h.data.rows({
      table: 'payments',
      columns: ['anomaly'],
      where: { id: intent.paymentId },
    })) as [{ anomaly: string }];
    expect(anomaly).toMatch(/mismatch/);
  });

  it('acknowledges event types it does not handle', async () => {
    const { payload, header } = signedEvent(h, {
      ...piEvent('pi_x'),
      type: 'customer.created',
      data: { object: { id: 'cus_1', object: 'customer' } },
    });
    const res = await postWebhook(h, payload, header);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('ignored');
  });

  it('never undoes a success with a later failure or cancellation event', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    for (const type of ['payment_intent.payment_failed', 'payment_intent.canceled']) {
      const { payload, header } = signedEvent(
        h,
        piEvent(
          intent.paymentIntentId,
          {
            status: type.endsWith('canceled') ? 'canceled' : 'requires_payment_method',
            last_payment_error: { message: 'late' },
          },
          type,
        ),
      );
      expect((await postWebhook(h, payload, header)).status).toBe(200);
    }
    expect(await balanceOf(h, user)).toBe(170);
    const payment = await h.http().get(`/api/payments/${intent.paymentId}`).set(user.auth);
    expect(payment.body.payment.status).toBe('succeeded');
  });

  it('claws back refunds in proportion to the cumulative amount, each increment once', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    await h.stripe.refunds.create({ payment_intent: intent.paymentIntentId, amount: 750 });
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(170 - 48);
    await h.stripe.refunds.create({ payment_intent: intent.paymentIntentId });
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(10);
    const charge = await chargeOf(h, intent.paymentIntentId);
    expect(charge.amount_refunded).toBe(2499);
    const payment = await h.http().get(`/api/payments/${intent.paymentId}`).set(user.auth);
    expect(payment.body.payment).toMatchObject({
      status: 'refunded',
      creditsClawedBack: 160,
      amountRefundedCents: 2499,
    });
    const me = await h.http().get('/api/auth/me').set(user.auth);
    expect(me.body.user.totalCreditsPurchased).toBe(160);
  });
});

describe('every ordering of the same events ends in the same ledger (S2)', () => {
  const permutations = <T>(xs: T[]): T[][] =>
    xs.length <= 1
      ? [xs]
      : xs.flatMap((x, i) =>
          permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]),
        );

  it('24 orderings of succeeded, refund 30%, refund 100%, dispute created', async () => {
    const outcomes = new Set<string>();
    for (const order of permutations([0, 1, 2, 3])) {
      const user = await h.signup();
      const intent = await paidWithHeldEvents(user);
      await h.stripe.refunds.create({ payment_intent: intent.paymentIntentId, amount: 750 });
      await h.stripe.refunds.create({ payment_intent: intent.paymentIntentId });
      h.emulator.control.createDispute({ paymentIntentId: intent.paymentIntentId });
      const mine = h.emulator.control
        .pendingEvents()
        .filter((e) => JSON.stringify(e.data.object).includes(intent.paymentIntentId));
      const succeeded = mine.find((e) => e.type === 'payment_intent.succeeded')!;
      const refunds = mine.filter((e) => e.type === 'charge.refunded');
      const dispute = mine.find((e) => e.type === 'charge.dispute.created')!;
      const events = [succeeded, refunds[0]!, refunds[1]!, dispute];
      expect(events.every(Boolean)).toBe(true);
      for (const i of order) {
        const log = await h.emulator.control.deliver(events[i]!.id);
        expect(log.every((d) => d.status === 200)).toBe(true);
      }
      const totals = new Map<string, number>();
      for (const e of await h.data.ledgerOf({ userId: user.id }))
        totals.set(e.type, (totals.get(e.type) ?? 0) + e.amount);
      const ledger = [...totals].sort(([a], [b]) => a.localeCompare(b));
      const [payment] = await h.data.rows({
        table: 'payments',
        columns: ['status', 'credits_clawed_back', 'credited'],
        where: { id: intent.paymentId },
      });
      outcomes.add(JSON.stringify({ balance: await balanceOf(h, user), ledger, payment }));
      // Drop the rest of this round's queue so the next round starts clean.
      h.emulator.control.resumeDelivery();
      await h.emulator.control.waitForIdle();
      expect(await balanceOf(h, user)).toBe(10);
    }
    expect([...outcomes]).toHaveLength(1);
    expect(JSON.parse([...outcomes][0]!)).toMatchObject({
      balance: 10,
      payment: { status: 'disputed', credits_clawed_back: 160, credited: 1 },
    });
  });
});

describe('disputes (S5)', () => {
  it('holds the credits while open, blocks generation while the account owes, keeps them when lost', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    await seedVideo(h, user.id, 20); // 100 credits spent
    expect(await balanceOf(h, user)).toBe(70);
    const dispute = h.emulator.control.createDispute({ paymentIntentId: intent.paymentIntentId });
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(-90);
    const balance = await h.http().get('/api/credits/balance').set(user.auth);
    expect(balance.body.owesCredits).toBe(true);
    await expect(seedVideo(h, user.id, 1)).rejects.toThrow(/owes/);
    h.emulator.control.closeDispute(dispute.id, 'lost');
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(-90);
    const payment = await h.http().get(`/api/payments/${intent.paymentId}`).set(user.auth);
    expect(payment.body.payment.status).toBe('dispute_lost');
  });

  it('restores the credits once when a dispute is won', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    const dispute = h.emulator.control.createDispute({ paymentIntentId: intent.paymentIntentId });
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(10);
    h.emulator.control.closeDispute(dispute.id, 'won');
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(170);
    const closed = h.emulator.control
      .listAll()
      .events.find((e) => e.type === 'charge.dispute.closed')!;
    await h.emulator.control.deliver(closed.id, { times: 3 });
    expect(await balanceOf(h, user)).toBe(170);
  });
});

describe('reconciliation (S7)', () => {
  it('credits succeeded intents whose webhooks were dropped, and a second run changes nothing', async () => {
    const users: TestUser[] = [];
    h.emulator.control.dropRate(1);
    for (let i = 0; i < 4; i += 1) {
      const user = await h.signup();
      users.push(user);
      const intent = await startPurchase(h, user, 1);
      await pay(h, intent.paymentIntentId);
    }
    h.emulator.control.dropRate(0);
    await h.emulator.control.waitForIdle();
    for (const u of users) expect(await balanceOf(h, u)).toBe(10);

    const cli = path.resolve(import.meta.dirname, '../src/cli/payments-reconcile.ts');
    const port = new URL(h.emulatorUrl).port;
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATA_DIR: h.dir,
      STRIPE_EMULATOR_PORT: port,
      STRIPE_WEBHOOK_SECRET: h.config.stripe.webhookSecret,
      LOG_LEVEL: 'silent',
    };
    const run = promisify(execFile);
    const first = JSON.parse(
      (await run(process.execPath, ['--import', 'tsx', cli], { env })).stdout,
    );
    expect(first.credited).toBeGreaterThanOrEqual(4);
    for (const u of users) expect(await balanceOf(h, u)).toBe(60);
    const second = JSON.parse(
      (await run(process.execPath, ['--import', 'tsx', cli], { env })).stdout,
    );
    expect(second.credited).toBe(0);
    for (const u of users) expect(await balanceOf(h, u)).toBe(60);
    // I6: every succeeded intent at the emulator is credited exactly once here.
    for (const pi of h.emulator.control
      .listAll()
      .paymentIntents.filter((p) => p.status === 'succeeded')) {
      const [payment] = await h.data.rows({
        table: 'payments',
        columns: ['credited'],
        where: { stripe_payment_intent_id: pi.id },
      });
      expect(payment?.credited, pi.id).toBe(1);
    }
  });
});

describe('an intent whose id was never stored (create-intent crashed after Stripe answered)', () => {
  it('is adopted through its metadata and credited by the webhook', async () => {
    const user = await h.signup();
    const intent = await startPurchase(h, user);
    await h.emulator.control.waitForIdle();
    await h.data.detachPaymentIntent({ paymentId: intent.paymentId });
    await pay(h, intent.paymentIntentId);
    await h.emulator.control.waitForIdle();
    expect(await balanceOf(h, user)).toBe(170);
  });
});
