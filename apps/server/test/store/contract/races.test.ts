import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/types.ts';
import { ADAPTERS, type AdapterUnderTest } from './adapters.ts';
import { charge, newUser, now, paidPayment, refundTo } from './fixtures.ts';

/**
 * The races two instances run into, each on two stores (separate connections) over one
 * database, at the adapter's own isolation (PostgreSQL: READ COMMITTED). Each would have
 * caught a bug found in the first PostgreSQL draft; see issue 12.
 */
describe.each(ADAPTERS)('store contract (%s): races between two instances', (_name, open) => {
  let a: AdapterUnderTest;
  let b: Store;
  beforeAll(async () => {
    a = await open();
    b = await a.second();
  });
  afterAll(async () => a?.close());

  const both = () => [a.store, b] as const;

  it('the same Idempotency-Key on both at once: one charge, every other call replays it (no error)', async () => {
    for (let round = 0; round < 10; round++) {
      const id = await newUser(a.store);
      await a.data.grantCredits({ userId: id, amount: 100 });
      const key = `key-${round}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          both()[i % 2]!.chargeAndCreateVideo(charge(id, 5, { key })),
        ),
      );
      expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'replayed')).toHaveLength(7);
      expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(95);
      // The generic middleware's lookup: one `started`, the rest see it in progress.
      const begun = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          both()[i % 2]!.beginIdempotentRequest({
            userId: id,
            scope: 'payments.confirm',
            key,
            requestHash: 'h',
            now: now(),
            staleBefore: new Date(Date.now() - 60_000).toISOString(),
          }),
        ),
      );
      expect(begun.filter((r) => r.state === 'started')).toHaveLength(1);
      expect(begun.filter((r) => r.state === 'in_progress')).toHaveLength(7);
    }
  });

  it('two workers claiming at once never get the same video', async () => {
    for (const v of await a.store.listVideosInStatus({ statuses: ['queued', 'processing'] })) {
      await a.store.finishVideo({
        id: v.id,
        finish: { status: 'canceled', error: 'x' },
        now: now(),
      });
    }
    const users = await Promise.all(Array.from({ length: 10 }, () => newUser(a.store)));
    for (const u of users) {
      await a.data.grantCredits({ userId: u, amount: 100 });
      for (let i = 0; i < 3; i++) await a.store.chargeAndCreateVideo(charge(u, 5));
    }
    const claimed: string[] = [];
    for (let round = 0; round < 15; round++) {
      const got = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          both()[i % 2]!.claimVideo({
            owner: `w${i}`,
            leaseMs: 60_000,
            now: now(),
            maxRunningPerUser: 3,
          }),
        ),
      );
      for (const v of got) if (v) claimed.push(v.id);
    }
    expect(claimed).toHaveLength(30);
    expect(new Set(claimed).size).toBe(30);
    const all = await a.store.listVideosInStatus({ statuses: ['processing'] });
    expect(all.every((v) => v.attempts === 1)).toBe(true);
    // Leave the queue empty for the next test.
    for (const v of all) {
      await a.store.finishVideo({ id: v.id, finish: { status: 'failed', error: 'x' }, now: now() });
    }
  });

  it('a result racing a cancel on the other instance: one wins, the loser is "no change", one refund', async () => {
    for (let round = 0; round < 15; round++) {
      const id = await newUser(a.store);
      await a.data.grantCredits({ userId: id, amount: 10 });
      const created = await a.store.chargeAndCreateVideo(charge(id, 10));
      if (created.kind !== 'created') throw new Error(created.kind);
      const video = (await a.store.claimVideo({
        owner: 'w',
        leaseMs: 60_000,
        now: now(),
        maxRunningPerUser: 5,
      }))!;
      expect(video.id).toBe(created.video.id);
      const lease = { owner: 'w', attempt: video.attempts };
      const [done, canceled] = await Promise.all([
        a.store.finishVideo({
          id: video.id,
          finish:
            round % 2
              ? { status: 'completed', filePath: '/x.mp4' }
              : { status: 'failed', error: 'x' },
          now: now(),
          lease,
        }),
        b.finishVideo({ id: video.id, finish: { status: 'canceled', error: 'user' }, now: now() }),
      ]);
      expect([done.changed, canceled.changed].filter(Boolean)).toHaveLength(1);
      const refunds = (await a.data.ledgerOf({ userId: id })).filter((e) => e.type === 'refund');
      expect(refunds.length).toBeLessThanOrEqual(1);
    }
    expect(await a.store.verifyInvariants()).toEqual([]);
  });

  it('two partial refunds at once claw back exactly the final refunded share', async () => {
    for (let round = 0; round < 10; round++) {
      const id = await newUser(a.store);
      const intent = `pi_refund_${id}`;
      const { payment, credit } = await paidPayment(a.store, id, intent);
      await a.store.updatePayment({ paymentIntentId: intent, decide: credit, now: now() });
      const third = Math.floor(payment.amountCents / 3);
      const [r1, r2] = await Promise.all([
        a.store.updatePayment({
          paymentIntentId: intent,
          event: { id: `evt_1_${id}`, type: 'charge.refunded' },
          decide: refundTo(third),
          now: now(),
        }),
        b.updatePayment({
          paymentIntentId: intent,
          event: { id: `evt_2_${id}`, type: 'charge.refunded' },
          decide: refundTo(2 * third),
          now: now(),
        }),
      ]);
      expect([r1.kind, r2.kind]).toEqual(['applied', 'applied']);
      const final = Math.floor((payment.credits * 2 * third) / payment.amountCents);
      const clawed = (await a.data.ledgerOf({ userId: id }))
        .filter((e) => e.type === 'clawback')
        .reduce((s, e) => s - e.amount, 0);
      expect(clawed).toBe(final);
      expect((await a.store.findPayment({ id: payment.id }))!.creditsClawedBack).toBe(final);
    }
    expect(await a.store.verifyInvariants()).toEqual([]);
  });

  it('the same webhook event on both at once applies once', async () => {
    for (let round = 0; round < 10; round++) {
      const id = await newUser(a.store);
      const intent = `pi_dup_${id}`;
      const { payment, credit } = await paidPayment(a.store, id, intent);
      const event = { id: `evt_dup_${id}`, type: 'payment_intent.succeeded' };
      const results = await Promise.all(
        [a.store, b, a.store, b].map((s) =>
          s.updatePayment({ paymentIntentId: intent, event, decide: credit, now: now() }),
        ),
      );
      expect(results.filter((r) => r.kind === 'applied')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'duplicate_event')).toHaveLength(3);
      expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(payment.credits);
    }
  });

  it('an instance starting up takes nothing from a live one: its keys stay in progress, its leases stay its own', async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 10 });
    const staleBefore = new Date(Date.now() - 60_000).toISOString();
    const key = { userId: id, scope: 's', key: 'live', requestHash: 'h', now: now(), staleBefore };
    expect(await a.store.beginIdempotentRequest(key)).toEqual({ state: 'started' });
    await a.store.chargeAndCreateVideo(charge(id, 5));
    const mine = (await a.store.claimVideo({
      owner: 'live-worker',
      leaseMs: 60_000,
      now: now(),
      maxRunningPerUser: 5,
    }))!;
    // Another instance starts now (a new store on the database), and its worker looks around.
    const starting = await a.second();
    expect(await starting.beginIdempotentRequest(key)).toEqual({ state: 'in_progress' });
    expect(await starting.reapExpiredLeases({ now: now(), maxAttempts: 3, limit: 10 })).toEqual([]);
    expect(
      await starting.claimVideo({
        owner: 'new',
        leaseMs: 60_000,
        now: now(),
        maxRunningPerUser: 5,
      }),
    ).toBeNull();
    expect(
      await a.store.renewVideoLease({
        id: mine.id,
        lease: { owner: 'live-worker', attempt: 1 },
        leaseMs: 60_000,
        now: now(),
      }),
    ).toBe('renewed');
  });
});
