import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ADAPTERS, type AdapterUnderTest } from './adapters.ts';
import type { PgStore } from '../../../src/store/pg/pg-store.ts';
import type { ChargeVideoResult } from '../../../src/store/types.ts';
import { charge, newUser } from './fixtures.ts';

/**
 * PostgreSQL charges that wait behind others go in one statement (migration 8). To make
 * them wait, a test holds users' rows: the first charges of those users take every charge
 * slot and block on them, the rest queue, and when the rows are let go they leave as one
 * batch.
 */
const BATCH = /^SELECT charge_videos\(/;
const SINGLE = /^SELECT charge_video\(/;

describe.each(ADAPTERS.filter(([name]) => name === 'postgres'))(
  'store (%s): charges in batches',
  (_name, open) => {
    let a: AdapterUnderTest;
    beforeAll(async () => {
      a = await open();
    });
    afterAll(async () => a?.close());

    async function holdUserRow(...userIds: string[]): Promise<pg.PoolClient> {
      const client = await (a.store as PgStore).pool.connect();
      await client.query('BEGIN');
      await client.query('SELECT 1 FROM users WHERE id = ANY($1) FOR UPDATE', [userIds]);
      return client;
    }

    async function release(client: pg.PoolClient) {
      // Long enough for the blocked charges to be waiting on the row, not on the way to it.
      await new Promise((r) => setTimeout(r, 100));
      await client.query('COMMIT');
      client.release();
    }

    it('gives each charge of a batch its own outcome, as if each had run alone', async () => {
      // One held row per blocked charge: the ones that take the slots and the ones that queue
      // with the batch never wait for each other once the rows are let go.
      const held = await Promise.all([1, 2, 3, 4].map(() => newUser(a.store)));
      const [rich, poor, other] = await Promise.all([1, 2, 3].map(() => newUser(a.store)));
      for (const userId of held) await a.data.grantCredits({ userId, amount: 100 });
      await a.data.grantCredits({ userId: rich!, amount: 12 });
      await a.data.grantCredits({ userId: poor!, amount: 3 });
      await a.data.grantCredits({ userId: other!, amount: 5 });

      const lock = await holdUserRow(...held);
      const { result, statements } = await a.statementsDuring!(async () => {
        const blocked = held.map((userId) => a.store.chargeAndCreateVideo(charge(userId, 10)));
        const queued = [
          a.store.chargeAndCreateVideo(charge(rich!, 5, { key: 'twice' })),
          a.store.chargeAndCreateVideo(charge(rich!, 5, { key: 'twice' })),
          a.store.chargeAndCreateVideo(charge(rich!, 5)),
          a.store.chargeAndCreateVideo(charge(rich!, 5)),
          a.store.chargeAndCreateVideo(charge(poor!, 5)),
          a.store.chargeAndCreateVideo(charge(other!, 5)),
        ];
        await release(lock);
        return { blocked: await Promise.all(blocked), queued: await Promise.all(queued) };
      });

      const batches = statements.filter((s) => BATCH.test(s));
      expect(batches).toHaveLength(1);
      // The slots' charges went alone; everything else waited and went together.
      expect(statements.filter((s) => SINGLE.test(s)).length).toBeLessThan(4);

      expect(result.blocked.map((r) => r.kind)).toEqual([
        'created',
        'created',
        'created',
        'created',
      ]);
      const [first, replay, third, fourth, refused, alone] = result.queued;
      expect(first).toMatchObject({ kind: 'created', balance: 7 });
      // The same key twice in one batch: the second sees the first's record.
      expect(replay).toEqual({ kind: 'replayed', outcome: first });
      expect(third).toMatchObject({ kind: 'created', balance: 2 });
      expect(fourth).toEqual({ kind: 'insufficient', balance: 2, required: 5 });
      expect(refused).toEqual({ kind: 'insufficient', balance: 3, required: 5 });
      expect(alone).toMatchObject({ kind: 'created', balance: 0 });

      const balances = await Promise.all(
        [...held, rich!, poor!, other!].map(async (userId) => {
          return (await a.store.getBalance({ userId }))!.creditBalance;
        }),
      );
      expect(balances).toEqual([90, 90, 90, 90, 2, 3, 0]);
      const usage = async (userId: string) =>
        (await a.data.ledgerOf({ userId })).filter((e) => e.type === 'usage').length;
      for (const userId of held) expect(await usage(userId)).toBe(1);
      expect(await usage(rich!)).toBe(2);
      expect(await usage(poor!)).toBe(0);
      expect(await a.store.verifyInvariants()).toEqual([]);
    });

    it('does not hold a batch behind one user row held elsewhere: only that charge waits', async () => {
      const slotFiller = await newUser(a.store);
      const held = await newUser(a.store);
      const [x, y] = await Promise.all([1, 2].map(() => newUser(a.store)));
      for (const userId of [slotFiller, held, x!, y!]) {
        await a.data.grantCredits({ userId, amount: 50 });
      }
      const heldRow = await holdUserRow(held);
      const fillerRow = await holdUserRow(slotFiller);
      const done = new Map<string, number>();
      const track = (name: string, p: Promise<ChargeVideoResult>) =>
        p.then((r) => {
          done.set(name, Date.now());
          return r;
        });
      const fillers = Array.from({ length: 4 }, (_, i) =>
        track(`filler${i}`, a.store.chargeAndCreateVideo(charge(slotFiller, 5))),
      );
      const queued = [
        track('x', a.store.chargeAndCreateVideo(charge(x!, 5))),
        track('held', a.store.chargeAndCreateVideo(charge(held, 5))),
        track('y', a.store.chargeAndCreateVideo(charge(y!, 5))),
      ];
      // The slots free up and the rest goes out as one batch; the held row stays held.
      await release(fillerRow);
      const heldUntil = Date.now() + 2_000;
      while (!(done.has('x') && done.has('y')) && Date.now() < heldUntil) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect([...done.keys()]).toEqual(expect.arrayContaining(['x', 'y']));
      expect(done.has('held')).toBe(false);

      await release(heldRow);
      await Promise.all(fillers);
      expect((await Promise.all(queued)).map((r) => r.kind)).toEqual([
        'created',
        'created',
        'created',
      ]);
      expect(
        (await a.data.ledgerOf({ userId: held })).filter((e) => e.type === 'usage'),
      ).toHaveLength(1);
      expect(await a.store.verifyInvariants()).toEqual([]);
    });

    it('runs each charge alone when one of the batch fails, so only that one fails', async () => {
      const held = await newUser(a.store);
      const [x, y] = await Promise.all([1, 2].map(() => newUser(a.store)));
      for (const userId of [held, x!, y!]) await a.data.grantCredits({ userId, amount: 50 });
      const existing = await a.store.chargeAndCreateVideo(charge(x!, 5));
      if (existing.kind !== 'created') throw new Error(existing.kind);
      // A video id that is taken: its insert fails inside the batch's transaction.
      const clashing = charge(y!, 5);
      clashing.video.id = existing.video.id;

      const lock = await holdUserRow(held);
      const { result, statements } = await a.statementsDuring!(async () => {
        const blocked = Array.from({ length: 4 }, () =>
          a.store.chargeAndCreateVideo(charge(held, 5)),
        );
        const queued = [
          a.store.chargeAndCreateVideo(charge(x!, 5, { key: 'after-fallback' })),
          a.store.chargeAndCreateVideo(clashing),
          a.store.chargeAndCreateVideo(charge(y!, 5)),
        ];
        await release(lock);
        return Promise.allSettled([...blocked, ...queued]);
      });

      const batch = statements.findIndex((s) => BATCH.test(s));
      expect(batch).toBeGreaterThanOrEqual(0);
      // After the refused batch, its charges went one by one.
      expect(statements.slice(batch + 1).filter((s) => SINGLE.test(s)).length).toBeGreaterThan(2);
      expect(result.map((r) => (r.status === 'fulfilled' ? r.value.kind : 'failed'))).toEqual([
        'created',
        'created',
        'created',
        'created',
        'created',
        'failed',
        'created',
      ]);
      // Nothing of the rolled-back batch stayed: one debit per charge that went through.
      const usage = async (userId: string) =>
        (await a.data.ledgerOf({ userId })).filter((e) => e.type === 'usage').length;
      expect(await usage(held)).toBe(4);
      expect(await usage(x!)).toBe(2);
      expect(await usage(y!)).toBe(1);
      expect((await a.store.getBalance({ userId: y! }))!.creditBalance).toBe(45);
      expect(await a.store.verifyInvariants()).toEqual([]);
    });
  },
);
