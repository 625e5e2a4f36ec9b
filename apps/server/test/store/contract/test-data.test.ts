import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterUnderTest } from './adapters.ts';
import { charge, newUser, now } from './fixtures.ts';

/**
 * The test-data facade itself, against both adapters: what the API and battery tests write
 * and read through it must mean the same on SQLite and on PostgreSQL.
 */
describe.each(ADAPTERS)('store contract (%s): test data', (_name, open) => {
  let a: AdapterUnderTest;
  beforeAll(async () => {
    a = await open();
  });
  afterAll(async () => a?.close());

  it('grants through the ledger writer and reads balances and ledgers back', async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 12 });
    await a.data.grantCredits({
      userId: id,
      amount: 3,
      referenceType: 'fixture',
      referenceId: 'fixture-ref',
      description: 'named',
    });
    expect(await a.data.balanceOf({ userId: id })).toBe(15);
    expect(await a.data.balances()).toContainEqual({ id, creditBalance: 15 });
    const ledger = await a.data.ledgerOf({ userId: id });
    expect(ledger.map((e) => [e.type, e.amount, e.balanceAfter])).toEqual([
      ['adjustment', 12, 12],
      ['adjustment', 3, 15],
    ]);
    expect(ledger[1]).toMatchObject({ referenceType: 'fixture', referenceId: 'fixture-ref' });
    expect(typeof ledger[0]!.id).toBe('number');
    expect(await a.store.verifyInvariants()).toEqual([]);
  });

  it('counts, sums and selects rows with typed conditions', async () => {
    const id = await newUser(a.store);
    await a.data.appendLedgerEntries({
      userId: id,
      count: 8,
      start: new Date('2025-01-01T00:00:00.000Z'),
      stepMs: 60_000,
    });
    const own = { user_id: id };
    expect(await a.data.countRows({ table: 'transactions', where: own })).toBe(8);
    expect(await a.data.sum({ table: 'transactions', column: 'amount', where: own })).toBe(4);
    expect(
      await a.data.countRows({
        table: 'transactions',
        where: {
          ...own,
          type: { in: ['bonus', 'refund'] },
          created_at: { from: '2025-01-01T00:01:00.000Z', to: '2025-01-01T00:06:00.000Z' },
        },
      }),
    ).toBe(3);
    expect(
      await a.data.countRows({
        table: 'transactions',
        where: { ...own, created_at: { after: '2025-01-01T00:06:00.000Z' } },
      }),
    ).toBe(1);
    expect(
      await a.data.countRows({
        table: 'transactions',
        where: { ...own, reference_id: { like: `${id}:%` } },
      }),
    ).toBe(8);
    const [newest] = await a.data.rows({
      table: 'transactions',
      columns: ['type', 'amount', 'balance_after'],
      where: own,
      desc: true,
      limit: 1,
    });
    expect(newest).toEqual({ type: 'adjustment', amount: -4, balance_after: 4 });
    await expect(
      a.data.rows({ table: 'users', columns: ['id; DROP TABLE users'] }),
    ).rejects.toThrow(/not a column/);
    expect(await a.store.verifyInvariants()).toEqual([]);
  });

  it("reads a video's summary and its ledger effects", async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 20 });
    const made = await a.store.chargeAndCreateVideo(charge(id, 5, { key: 'td' }));
    if (made.kind !== 'created') throw new Error(made.kind);
    await a.store.finishVideo({
      id: made.video.id,
      finish: { status: 'failed', error: 'fixture' },
      now: now(),
    });
    expect(await a.data.videosOf({ userId: id })).toEqual([
      expect.objectContaining({ id: made.video.id, status: 'failed', key: 'td', cost: 5 }),
    ]);
    expect(await a.data.videoEntries({ videoId: made.video.id })).toEqual([
      { type: 'usage', amount: -5 },
      { type: 'refund', amount: 5 },
    ]);
  });

  it('ages and seeds idempotency records', async () => {
    const id = await newUser(a.store);
    await a.data.seedIdempotencyRecords({ userId: id, count: 3, at: now(), prefix: 'seed-' });
    await a.data.ageIdempotencyRecord({ userId: id, key: 'seed-1', at: '2020-01-01T00:00:00Z' });
    const rows = await a.data.rows({
      table: 'idempotency_keys',
      columns: ['key', 'created_at'],
      where: { user_id: id },
    });
    expect(rows.map((r) => r.key)).toEqual(['seed-0', 'seed-1', 'seed-2']);
    expect(rows[1]!.created_at).toBe('2020-01-01T00:00:00Z');
    expect(await a.data.countAll({ tables: ['idempotency_keys'] })).toEqual({
      idempotency_keys: expect.any(Number),
    });
  });
});
