import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/store/sqlite/open.ts';
import { sqliteAdapterInternals } from '../src/store/sqlite/test-data.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { seedVideo } from './helpers/ledger-ops.ts';

let h: Harness;
/**
 * These are SQLite's own triggers and constraints, probed with raw SQL on purpose; the
 * contract suite checks the rules both adapters share through the domain operations.
 */
let db: Db;

/** Raw-SQL probes run in a transaction that is rolled back, so they leave no trace. */
function probe(fn: () => void) {
  db.exec('BEGIN');
  try {
    fn();
  } finally {
    db.exec('ROLLBACK');
  }
}

beforeAll(async () => {
  h = await createHarness();
  db = sqliteAdapterInternals(h.store).db;
});
afterAll(async () => h.close());

describe('the database enforces the ledger rules', () => {
  it('refuses to update or delete ledger rows (I3)', async () => {
    await h.signup();
    probe(() => {
      expect(() => db.prepare('UPDATE transactions SET amount = 1000').run()).toThrow(
        /append-only/,
      );
      expect(() => db.prepare('DELETE FROM transactions').run()).toThrow(/append-only/);
    });
  });

  it('refuses a ledger row that disagrees with the cached balance (I1)', async () => {
    const user = await h.signup();
    expect(() =>
      db
        .prepare(
          `INSERT INTO transactions (user_id, type, amount, balance_after, reference_type, reference_id, description, created_at)
           VALUES (?, 'adjustment', 5, 999, 'test', 'x', 'x', 'now')`,
        )
        .run(user.id),
    ).toThrow(/does not match/);
  });

  it('refuses a second effect for the same reference (I4)', async () => {
    const user = await h.signup();
    const videoId = await seedVideo(h, user.id, 1, 'failed');
    // The store resolves a video once; a second refund would need a second row for the reference.
    const again = await h.store.finishVideo({
      id: videoId,
      finish: { status: 'failed', error: 'again' },
      now: new Date().toISOString(),
    });
    expect(again.changed).toBe(false);
    probe(() => {
      db.prepare('UPDATE users SET credit_balance = credit_balance + 5 WHERE id = ?').run(user.id);
      expect(() =>
        db
          .prepare(
            `INSERT INTO transactions (user_id, type, amount, balance_after, reference_type, reference_id, description, created_at)
           VALUES (?, 'refund', 5, (SELECT credit_balance FROM users WHERE id = ?), 'video', ?, 'x', 'now')`,
          )
          .run(user.id, user.id, videoId),
      ).toThrow(/UNIQUE/);
    });
    await h.assertInvariants();
  });

  it('never lets a usage entry leave a negative balance (I2)', async () => {
    const user = await h.signup();
    probe(() => {
      db.prepare('UPDATE users SET credit_balance = credit_balance - 10 WHERE id = ?').run(user.id);
      expect(() =>
        db
          .prepare(
            `INSERT INTO transactions (user_id, type, amount, balance_after, reference_type, reference_id, description, created_at)
           VALUES (?, 'usage', -10, 0, 'video', ?, 'x', 'now')`,
          )
          .run(user.id, randomUUID()),
      ).not.toThrow();
      db.prepare('UPDATE users SET credit_balance = credit_balance - 5 WHERE id = ?').run(user.id);
      expect(() =>
        db
          .prepare(
            `INSERT INTO transactions (user_id, type, amount, balance_after, reference_type, reference_id, description, created_at)
           VALUES (?, 'usage', -5, -5, 'video', ?, 'x', 'now')`,
          )
          .run(user.id, randomUUID()),
      ).toThrow(/CHECK/);
    });
    await h.assertInvariants();
  });

  it('charges concurrently without ever going below zero', async () => {
    const user = await h.signup();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        seedVideo(h, user.id, 1).then(
          () => 'ok',
          () => 'refused',
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(2);
    expect((await h.store.getBalance({ userId: user.id }))?.creditBalance).toBe(0);
    await h.assertInvariants();
  });
});

describe('random sequences of ledger operations keep every invariant', () => {
  it('matches an integer wallet model', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('charge' as const), minutes: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('complete' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    );
    const seed = Date.now() ^ (Math.random() * 0x7fffffff);
    console.log(`ledger property seed: ${seed}`);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const user = await h.signup();
        let wallet = 10;
        const open: Array<{ id: string; cost: number }> = [];
        for (const o of ops) {
          const now = new Date().toISOString();
          if (o.kind === 'charge') {
            const cost = o.minutes * 5;
            try {
              const id = await seedVideo(h, user.id, o.minutes);
              open.push({ id, cost });
              wallet -= cost;
            } catch {
              expect(wallet).toBeLessThan(cost);
            }
          } else if (open.length > 0) {
            const [video] = open.splice(o.pick % open.length, 1);
            const finish =
              o.kind === 'complete'
                ? ({ status: 'completed', filePath: '/dev/null' } as const)
                : ({ status: o.kind === 'fail' ? 'failed' : 'canceled', error: 'x' } as const);
            const r = await h.store.finishVideo({ id: video!.id, finish, now });
            expect(r.changed).toBe(true);
            if (o.kind !== 'complete') wallet += video!.cost;
          }
          expect((await h.store.getBalance({ userId: user.id }))?.creditBalance).toBe(wallet);
          expect(wallet).toBeGreaterThanOrEqual(0);
        }
        expect(await h.store.verifyInvariants()).toEqual([]);
      }),
      { numRuns: 60, seed },
    );
  });
});
