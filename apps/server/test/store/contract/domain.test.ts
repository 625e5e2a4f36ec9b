import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterUnderTest } from './adapters.ts';
import { charge, newUser, now, paidPayment } from './fixtures.ts';

/** Every domain operation, against both adapters: the same inputs give the same answers. */
describe.each(ADAPTERS)('store contract (%s): domain operations', (name, open) => {
  let a: AdapterUnderTest;
  beforeAll(async () => {
    a = await open();
  });
  afterAll(async () => a?.close());

  it('users and sessions', async () => {
    const id = await newUser(a.store, 10);
    const user = (await a.store.findUserById({ id }))!;
    expect(user.creditBalance).toBe(10);
    expect(await a.store.findUserByEmail({ email: user.email })).toMatchObject({ id });
    expect(
      await a.store.createUser({
        id: 'other',
        email: user.email,
        name: 'x',
        passwordHash: 'x',
        signupBonus: 10,
        now: now(),
      }),
    ).toBe('email_taken');
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    await a.store.createSession({ id: `${id}-s1`, userId: id, createdAt: now(), expiresAt });
    expect(await a.store.isSessionActive({ sessionId: `${id}-s1`, userId: id })).toBe(true);
    expect(await a.store.revokeSession({ id: `${id}-s1`, userId: id, now: now() })).toBe(true);
    expect(await a.store.isSessionActive({ sessionId: `${id}-s1`, userId: id })).toBe(false);
  });

  it('charges a video once, refuses what the balance does not cover, pages the ledger', async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 12 });
    const first = await a.store.chargeAndCreateVideo(charge(id, 5));
    expect(first).toMatchObject({ kind: 'created', balance: 7 });
    expect(await a.store.chargeAndCreateVideo(charge(id, 8))).toEqual({
      kind: 'insufficient',
      balance: 7,
      required: 8,
    });
    const page = await a.store.listTransactions({
      userId: id,
      filter: {},
      page: { limit: 10, offset: 0 },
    });
    expect(page.total).toBe(2);
    expect(page.rows.map((e) => [e.type, e.amount, e.balanceAfter])).toEqual([
      ['usage', -5, 7],
      ['adjustment', 12, 12],
    ]);
    expect(await a.store.getBalance({ userId: id })).toEqual({
      creditBalance: 7,
      totalCreditsPurchased: 0,
    });
    if (first.kind !== 'created') throw new Error(first.kind);
    // Resolved, so the lease test below finds an empty queue.
    const done = await a.store.finishVideo({
      id: first.video.id,
      finish: { status: 'canceled', error: 'contract' },
      now: now(),
    });
    expect(done).toMatchObject({ changed: true, balance: 12 });
  });

  it('idempotency: one record per key, replayed; another body is a mismatch', async () => {
    const id = await newUser(a.store);
    const key = { userId: id, scope: 's', key: 'k1', requestHash: 'h', now: now() };
    const staleBefore = new Date(Date.now() - 60_000).toISOString();
    expect(await a.store.beginIdempotentRequest({ ...key, staleBefore })).toEqual({
      state: 'started',
    });
    expect(await a.store.beginIdempotentRequest({ ...key, staleBefore })).toEqual({
      state: 'in_progress',
    });
    await a.store.completeIdempotentRequest({ ...key, status: 201, body: '{"ok":1}' });
    expect(await a.store.beginIdempotentRequest({ ...key, staleBefore })).toEqual({
      state: 'completed',
      status: 201,
      body: '{"ok":1}',
    });
    expect(
      await a.store.beginIdempotentRequest({ ...key, requestHash: 'other', staleBefore }),
    ).toEqual({ state: 'mismatch' });
  });

  it('video leases: claim, renew, a stale lease can neither renew nor finish, the reaper requeues then fails once', async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 10 });
    const created = await a.store.chargeAndCreateVideo(charge(id, 5));
    if (created.kind !== 'created') throw new Error(created.kind);
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    const claimed = (await a.store.claimVideo({
      owner: 'w1',
      leaseMs: 1000,
      now: at(0),
      maxRunningPerUser: 5,
    }))!;
    expect(claimed).toMatchObject({ id: created.video.id, status: 'processing', attempts: 1 });
    const lease1 = { owner: 'w1', attempt: 1 };
    expect(
      await a.store.renewVideoLease({
        id: claimed.id,
        lease: lease1,
        leaseMs: 1000,
        now: at(500),
        progress: 40,
      }),
    ).toBe('renewed');
    // Not expired yet (renewed until 1500): nothing to reap.
    expect(await a.store.reapExpiredLeases({ now: at(1400), maxAttempts: 2, limit: 10 })).toEqual(
      [],
    );
    const reaped = await a.store.reapExpiredLeases({ now: at(1600), maxAttempts: 2, limit: 10 });
    expect(reaped.map((r) => [r.video.id, r.outcome, r.video.status])).toEqual([
      [claimed.id, 'requeued', 'queued'],
    ]);
    // The stale worker wakes up: it can no longer write anything.
    expect(
      await a.store.renewVideoLease({
        id: claimed.id,
        lease: lease1,
        leaseMs: 1000,
        now: at(1700),
      }),
    ).toBe('lost');
    const again = (await a.store.claimVideo({
      owner: 'w2',
      leaseMs: 1000,
      now: at(1700),
      maxRunningPerUser: 5,
    }))!;
    expect(again.attempts).toBe(2);
    const stale = await a.store.finishVideo({
      id: claimed.id,
      finish: { status: 'completed', filePath: '/stale.mp4' },
      now: at(1800),
      lease: lease1,
    });
    expect(stale.changed).toBe(false);
    expect(stale.video.status).toBe('processing');
    // The second lease expires too: attempt 2 of 2, failed and refunded once.
    const failed = await a.store.reapExpiredLeases({ now: at(5000), maxAttempts: 2, limit: 10 });
    expect(failed.map((r) => [r.outcome, r.video.status, r.video.creditsRefunded])).toEqual([
      ['failed', 'failed', 5],
    ]);
    expect(await a.store.reapExpiredLeases({ now: at(9000), maxAttempts: 2, limit: 10 })).toEqual(
      [],
    );
    expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(10);
  });

  it.runIf(name === 'postgres')(
    'the worker claims and completes in one statement each: one round trip, no BEGIN or COMMIT',
    async () => {
      const id = await newUser(a.store);
      await a.data.grantCredits({ userId: id, amount: 10 });
      const created = await a.store.chargeAndCreateVideo(charge(id, 5));
      if (created.kind !== 'created') throw new Error(created.kind);
      const claimInput = { owner: 'w1', leaseMs: 60_000, now: now(), maxRunningPerUser: 5 };
      // The charge's wake-up for other instances is its own statement, sent after it
      // committed: it may land while the first claim is watched.
      const worker = (statements: string[]) => statements.filter((t) => !/pg_notify/.test(t));
      // Other tests' videos may still be queued: claim until this one comes up.
      let claim;
      do {
        claim = await a.statementsDuring!(() => a.store.claimVideo(claimInput));
        expect(worker(claim.statements)).toHaveLength(1);
        expect(worker(claim.statements)[0]).toMatch(/^SELECT claim_video\(/);
      } while (claim.result && claim.result.id !== created.video.id);
      expect(claim.result).toMatchObject({ status: 'processing', attempts: 1, userId: id });
      const lease = { owner: 'w1', attempt: claim.result!.attempts };
      const finish = { status: 'completed', filePath: '/videos/one-trip.mp4' } as const;
      const done = await a.statementsDuring!(() =>
        a.store.finishVideo({ id: created.video.id, finish, now: now(), lease }),
      );
      expect(done.statements).toHaveLength(1);
      expect(done.statements[0]).toMatch(/^SELECT complete_video\(/);
      expect(done.result).toMatchObject({ changed: true, balance: created.balance });
      expect(done.result.video).toEqual({
        ...claim.result,
        status: 'completed',
        progress: 100,
        filePath: '/videos/one-trip.mp4',
        completedAt: done.result.video.completedAt,
        updatedAt: done.result.video.updatedAt,
      });
      expect(await a.store.findVideo({ id: created.video.id })).toEqual(done.result.video);
      // The same result again (a retry after a lost answer): no change, still one statement.
      const again = await a.statementsDuring!(() =>
        a.store.finishVideo({ id: created.video.id, finish, now: now(), lease }),
      );
      expect(again.statements).toHaveLength(1);
      expect(again.result).toEqual({ ...done.result, changed: false });
      // Nothing left to claim: an empty answer, in one statement too.
      const empty = await a.statementsDuring!(() => a.store.claimVideo(claimInput));
      expect(empty).toEqual({
        result: null,
        statements: [expect.stringMatching(/^SELECT claim_video\(/)],
      });
    },
  );

  it('payments: credited once per event, unknown intents recorded', async () => {
    const id = await newUser(a.store);
    const { payment, credit } = await paidPayment(a.store, id, `pi_${id}`);
    const event = { id: `evt_${id}`, type: 'payment_intent.succeeded' };
    const applied = await a.store.updatePayment({
      paymentIntentId: `pi_${id}`,
      event,
      decide: credit,
      now: now(),
    });
    expect(applied).toMatchObject({ kind: 'applied', balance: payment.credits });
    expect(
      await a.store.updatePayment({
        paymentIntentId: `pi_${id}`,
        event,
        decide: credit,
        now: now(),
      }),
    ).toEqual({ kind: 'duplicate_event' });
    expect(
      await a.store.updatePayment({
        paymentIntentId: 'pi_nobody',
        event: { id: `evt_x_${id}`, type: 'payment_intent.succeeded' },
        decide: credit,
        now: now(),
      }),
    ).toEqual({ kind: 'unknown_payment' });
    expect((await a.store.listPayments({ userId: id, page: { limit: 5, offset: 0 } })).total).toBe(
      1,
    );
  });

  it('exclusive jobs (pruning): another instance skips while one runs; one process always runs', async () => {
    const b = await a.second();
    let release: () => void = () => undefined;
    const held = a.store.exclusively({
      name: 'contract-job',
      run: () => new Promise<string>((resolve) => (release = () => resolve('first'))),
    });
    await new Promise((r) => setTimeout(r, 100));
    const other = await b.exclusively({
      name: 'contract-job',
      run: () => Promise.resolve('second'),
    });
    release();
    expect(await held).toBe('first');
    // SQLite is one process: the scheduler's own flag keeps a pass from overlapping itself.
    expect(other).toBe(a.name === 'postgres' ? null : 'second');
    expect(await b.exclusively({ name: 'contract-job', run: () => Promise.resolve('later') })).toBe(
      'later',
    );
  });

  it('I6: a clawback the payment does not record is reported, for that payment only', async () => {
    const id = await newUser(a.store);
    const { payment, credit } = await paidPayment(a.store, id, `pi_i6_${id}`);
    await a.store.updatePayment({
      paymentIntentId: `pi_i6_${id}`,
      event: { id: `evt_i6_${id}`, type: 'payment_intent.succeeded' },
      decide: credit,
      now: now(),
    });
    expect(await a.store.verifyInvariants()).toEqual([]);
    // A reversal entry written behind the payment's back (its record still says 0).
    await a.data.grantCredits({
      userId: id,
      amount: -3,
      type: 'clawback',
      referenceType: 'payment_reversal',
      referenceId: `${payment.id}:refund:300`,
    });
    const found = await a.store.verifyInvariants();
    expect(found.map((v) => v.invariant)).toEqual(['I6 clawbacks match the payment record']);
    expect(found[0]!.message).toContain(payment.id);
    // Undone by the opposite entry, so the next tests start from a consistent ledger.
    await a.data.grantCredits({
      userId: id,
      amount: 3,
      type: 'adjustment',
      referenceType: 'payment_reversal',
      referenceId: `${payment.id}:restore:test`,
    });
    expect(await a.store.verifyInvariants()).toEqual([]);
  });

  it('the database guards the ledger and every invariant holds', async () => {
    expect(await a.data.tamperLedger()).toBeInstanceOf(Error);
    expect(await a.store.verifyInvariants()).toEqual([]);
  });
});
