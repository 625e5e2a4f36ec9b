import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterUnderTest } from './adapters.ts';
import type { PgStore } from '../../../src/store/pg/pg-store.ts';
import { charge, newUser, now } from './fixtures.ts';
import { waitFor } from '../../helpers/video.ts';

/**
 * The charge with an Idempotency-Key, against both adapters: the key's record holds the
 * charge's domain outcome, and a replay returns that outcome as it was decided, whatever
 * happened to the video or the balance since.
 */
const ANNOUNCEMENT = /pg_notify/;

describe.each(ADAPTERS)('store contract (%s): the idempotent charge', (name, open) => {
  let a: AdapterUnderTest;
  beforeAll(async () => {
    a = await open();
  });
  afterAll(async () => a?.close());

  it('replays the stored creation snapshot, not the video as it is now', async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 20 });
    const first = await a.store.chargeAndCreateVideo(charge(id, 5, { key: 'snap' }));
    if (first.kind !== 'created') throw new Error(first.kind);
    expect(first).toMatchObject({ balance: 15, video: { status: 'queued', progress: 0 } });
    await a.store.finishVideo({
      id: first.video.id,
      finish: { status: 'completed', filePath: '/videos/x.mp4' },
      now: now(),
    });
    await a.data.grantCredits({ userId: id, amount: 100 });

    const replay = await a.store.chargeAndCreateVideo(charge(id, 5, { key: 'snap' }));
    expect(replay).toEqual({ kind: 'replayed', outcome: first });
    expect((await a.store.findVideo({ id: first.video.id }))!.status).toBe('completed');
    expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(115);
    expect((await a.data.ledgerOf({ userId: id })).filter((e) => e.type === 'usage')).toHaveLength(
      1,
    );
  });

  it('replays a refusal as refused, even once the balance would cover it', async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 3 });
    const refused = await a.store.chargeAndCreateVideo(charge(id, 5, { key: 'poor' }));
    expect(refused).toEqual({ kind: 'insufficient', balance: 3, required: 5 });
    await a.data.grantCredits({ userId: id, amount: 50 });
    expect(await a.store.chargeAndCreateVideo(charge(id, 5, { key: 'poor' }))).toEqual({
      kind: 'replayed',
      outcome: refused,
    });
    expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(53);
  });

  it('refuses the key with another body, charging nothing', async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 20 });
    await a.store.chargeAndCreateVideo(charge(id, 5, { key: 'k', requestHash: 'first' }));
    expect(
      await a.store.chargeAndCreateVideo(charge(id, 5, { key: 'k', requestHash: 'second' })),
    ).toEqual({ kind: 'key_reused' });
    expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(15);
    expect((await a.data.ledgerOf({ userId: id })).filter((e) => e.type === 'usage')).toHaveLength(
      1,
    );
  });

  it('replays a record written before outcomes were stored with its stored reply', async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 20 });
    const body = '{"video":{"id":"old"},"creditsUsed":5,"newBalance":15}';
    await a.data.recordLegacyReply({
      userId: id,
      scope: 'video.generate',
      key: 'old',
      requestHash: 'hash',
      status: 202,
      body,
    });
    expect(await a.store.chargeAndCreateVideo(charge(id, 5, { key: 'old' }))).toEqual({
      kind: 'replayed_reply',
      status: 202,
      body,
    });
    expect(
      await a.store.chargeAndCreateVideo(charge(id, 5, { key: 'old', requestHash: 'other' })),
    ).toEqual({ kind: 'key_reused' });
    expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(20);
  });

  it('queues the low-balance mail with the charge that crosses the threshold, once', async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 20 });
    await a.store.setNotificationSettings({
      userId: id,
      refundNotice: true,
      lowBalance: true,
      now: now(),
    });
    const mails = await a.data.countRows({ table: 'mail_outbox' });
    await a.store.chargeAndCreateVideo(charge(id, 5));
    expect(await a.data.countRows({ table: 'mail_outbox' })).toBe(mails);
    await a.store.chargeAndCreateVideo(charge(id, 8));
    expect(await a.data.countRows({ table: 'mail_outbox' })).toBe(mails + 1);
    await a.store.chargeAndCreateVideo(charge(id, 5));
    expect(await a.data.countRows({ table: 'mail_outbox' })).toBe(mails + 1);
  });

  it.runIf(name === 'postgres')(
    'charges in one statement: one round trip, no BEGIN or COMMIT',
    async () => {
      const id = await newUser(a.store);
      await a.data.grantCredits({ userId: id, amount: 20 });
      for (const input of [charge(id, 5, { key: 'one-trip' }), charge(id, 5), charge(id, 50)]) {
        const { result, statements } = await a.statementsDuring!(() =>
          a.store.chargeAndCreateVideo(input),
        );
        expect(result.kind).toMatch(/created|insufficient/);
        // A created video may also start its wake-up for other instances (its own statement,
        // after the charge committed; see the next test).
        const charged = statements.filter((text) => !ANNOUNCEMENT.test(text));
        expect(charged).toHaveLength(1);
        expect(charged[0]).toMatch(/^SELECT charge_video\(/);
      }
      const replay = await a.statementsDuring!(() =>
        a.store.chargeAndCreateVideo(charge(id, 5, { key: 'one-trip' })),
      );
      expect(replay.result.kind).toBe('replayed');
      // The earlier charges' last wake-up may still be on its way (sent after the one before
      // it returned); the replay itself is one statement and announces nothing.
      expect(replay.statements.filter((text) => !ANNOUNCEMENT.test(text))).toEqual([
        expect.stringMatching(/^SELECT charge_video\(/),
      ]);
    },
  );

  it.runIf(name === 'postgres')(
    'keeps the per-request statements prepared on the connection (parsed and planned once)',
    async () => {
      const id = await newUser(a.store);
      await a.data.grantCredits({ userId: id, amount: 20 });
      const expiresAt = new Date(Date.now() + 60_000).toISOString();
      await a.store.createSession({
        id: `prepared-${id}`,
        userId: id,
        createdAt: now(),
        expiresAt,
      });
      // Run one after the other, each of these takes the connection the previous one released.
      for (let i = 0; i < 2; i++) {
        expect(await a.store.isSessionActive({ sessionId: `prepared-${id}`, userId: id })).toBe(
          true,
        );
        expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(20 - 5 * i);
        expect((await a.store.chargeAndCreateVideo(charge(id, 5))).kind).toBe('created');
      }
      const { rows } = await (a.store as PgStore).pool.query<{ name: string }>(
        'SELECT name FROM pg_prepared_statements',
      );
      expect(rows.map((r) => r.name)).toEqual(
        expect.arrayContaining([
          'prepared_session_active',
          'prepared_balance',
          'prepared_charge_video',
        ]),
      );
    },
  );

  it.runIf(name === 'postgres')(
    'wakes the other instances after a burst of charges with a few notifications, not one each',
    async () => {
      // A NOTIFY commits under one lock for the whole database, through its WAL flush: one per
      // charge made concurrent charges commit one at a time.
      const other = await a.second();
      let heard = 0;
      const stop = await other.listenVideoEvents({
        onQueued: () => heard++,
        onVideo: () => undefined,
        onGap: () => undefined,
      });
      try {
        const users = await Promise.all(Array.from({ length: 20 }, () => newUser(a.store)));
        for (const userId of users) await a.data.grantCredits({ userId, amount: 5 });
        const results = await Promise.all(
          users.map((userId) => a.store.chargeAndCreateVideo(charge(userId, 5))),
        );
        expect(results.map((r) => r.kind)).toEqual(users.map(() => 'created'));
        // Every charge is followed by an announcement sent after it committed.
        await waitFor(() => heard > 0);
        await new Promise((r) => setTimeout(r, 500));
        // One per charge before; now one in flight at a time, so a handful, depending on how
        // the charges' commits interleave with them (up to 7 seen here; 5 was too tight).
        expect(heard).toBeLessThan(users.length / 2);
      } finally {
        await stop();
      }
    },
  );

  it('checks the caller session it is given: an ended one charges nothing and records no key', async () => {
    const id = await newUser(a.store);
    const other = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 20 });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const live = randomUUID();
    const ended = randomUUID();
    const othersSession = randomUUID();
    await a.store.createSession({ id: live, userId: id, createdAt: now(), expiresAt });
    await a.store.createSession({ id: ended, userId: id, createdAt: now(), expiresAt });
    await a.store.createSession({ id: othersSession, userId: other, createdAt: now(), expiresAt });
    expect(await a.store.revokeSession({ id: ended, userId: id, now: now() })).toBe(true);

    for (const sessionId of [ended, othersSession, randomUUID()]) {
      expect(
        await a.store.chargeAndCreateVideo({ ...charge(id, 5, { key: 'sess' }), sessionId }),
      ).toEqual({ kind: 'session_ended' });
    }
    expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(20);
    expect(await a.data.ledgerOf({ userId: id })).toHaveLength(1);

    // The key was not taken by the refusals: the live session's charge with it goes through.
    const created = await a.store.chargeAndCreateVideo({
      ...charge(id, 5, { key: 'sess' }),
      sessionId: live,
    });
    expect(created).toMatchObject({ kind: 'created', balance: 15 });
    // Without a session to check (a caller that checked it itself), as before.
    expect(await a.store.chargeAndCreateVideo(charge(id, 5))).toMatchObject({ balance: 10 });
  });

  it('checks the verified address when asked: unverified charges nothing, verified goes through', async () => {
    const id = await newUser(a.store);
    const user = (await a.store.findUserById({ id }))!;
    await a.data.grantCredits({ userId: id, amount: 20 });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const sessionId = randomUUID();
    await a.store.createSession({ id: sessionId, userId: id, createdAt: now(), expiresAt });
    const strict = { ...charge(id, 5, { key: 'verify' }), sessionId, requireVerifiedEmail: true };
    expect(await a.store.chargeAndCreateVideo(strict)).toEqual({ kind: 'email_not_verified' });
    expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(20);
    expect(await a.data.ledgerOf({ userId: id })).toHaveLength(1);

    await a.store.issueAccountToken({
      userId: id,
      token: { tokenHash: `hash-${id}`, purpose: 'verify_email', email: user.email, expiresAt },
      now: now(),
      mail: [],
    });
    const used = await a.store.useVerificationToken({ tokenHash: `hash-${id}`, now: now() });
    expect(used.kind).toBe('ok');
    expect(await a.store.chargeAndCreateVideo(strict)).toMatchObject({
      kind: 'created',
      balance: 15,
    });
  });
});
