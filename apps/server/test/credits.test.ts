import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BalanceResponseSchema,
  PackagesResponseSchema,
  TransactionsResponseSchema,
} from '@app/shared';
import { createHarness, tableCounts, type Harness, type TestUser } from './helpers/harness.ts';
import { seedVideo } from './helpers/ledger-ops.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterEach(async () => h.assertInvariants());
afterAll(async () => h.close());

describe('GET /api/credits/balance', () => {
  it('returns the balance with owes/low flags', async () => {
    const user = await h.signup();
    const res = await h.http().get('/api/credits/balance').set(user.auth);
    expect(res.status).toBe(200);
    expect(BalanceResponseSchema.parse(res.body)).toEqual({
      creditBalance: 10,
      totalCreditsPurchased: 0,
      owesCredits: false,
      lowBalance: false,
    });
    await seedVideo(h, user.id, 1);
    const low = await h.http().get('/api/credits/balance').set(user.auth);
    expect(low.body).toMatchObject({ creditBalance: 5, lowBalance: true });
  });
});

describe('GET /api/credits/packages', () => {
  it('lists the four packages from the server table', async () => {
    const user = await h.signup();
    const res = await h.http().get('/api/credits/packages').set(user.auth);
    const { packages } = PackagesResponseSchema.parse(res.body);
    expect(packages.map((p) => [p.id, p.name, p.totalCredits, p.priceCents, p.bestValue])).toEqual([
      [1, 'Starter', 50, 999, false],
      [2, 'Pro', 160, 2499, true],
      [3, 'Business', 550, 7999, false],
      [4, 'Enterprise', 2200, 29999, false],
    ]);
  });
});

describe('GET /api/credits/transactions', () => {
  let user: TestUser;
  beforeAll(async () => {
    user = await h.signup();
    // bonus +10, usage -5, refund +5, usage -5: four entries, balance 5.
    await seedVideo(h, user.id, 1, 'failed');
    await seedVideo(h, user.id, 1, 'completed');
  });

  it('pages newest first', async () => {
    const res = await h.http().get('/api/credits/transactions?page=1&pageSize=2').set(user.auth);
    const body = TransactionsResponseSchema.parse(res.body);
    expect(body.pagination).toEqual({ page: 1, pageSize: 2, total: 4, totalPages: 2 });
    expect(body.transactions.map((t) => t.type)).toEqual(['usage', 'refund']);
    const page2 = await h.http().get('/api/credits/transactions?page=2&pageSize=2').set(user.auth);
    expect(page2.body.transactions.map((t: { type: string }) => t.type)).toEqual([
      'usage',
      'bonus',
    ]);
  });

  it('filters by type and date range', async () => {
    const usage = await h.http().get('/api/credits/transactions?type=usage').set(user.auth);
    expect(usage.body.transactions).toHaveLength(2);
    const future = await h.http().get('/api/credits/transactions?from=2999-01-01').set(user.auth);
    expect(future.body.transactions).toHaveLength(0);
    const today = new Date().toISOString().slice(0, 10);
    const upToToday = await h.http().get(`/api/credits/transactions?to=${today}`).set(user.auth);
    expect(upToToday.body.pagination.total).toBe(4);
  });

  it.each([
    'type=gift',
    'page=0',
    'pageSize=101',
    'from=yesterday',
    'from=2025-02-01&to=2025-01-01',
    'userId=x',
  ])('rejects %s with 400', async (q) => {
    const res = await h.http().get(`/api/credits/transactions?${q}`).set(user.auth);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  it("never shows another user's entries", async () => {
    const other = await h.signup();
    const res = await h.http().get('/api/credits/transactions').set(other.auth);
    expect(res.body.transactions).toHaveLength(1);
    expect(res.body.transactions[0].referenceId).toBe(other.id);
  });
});

describe('POST /api/credits/calculate-cost', () => {
  it.each([
    [{ durationMinutes: 3, resolution: '720p' }, 15],
    [{ durationMinutes: 5, resolution: '1080p', customMusic: true }, 42],
    [{ durationMinutes: 10, resolution: '720p', premiumTTS: true }, 53],
    [{ durationMinutes: 2.5, resolution: '720p' }, 15],
  ])('%j costs %i', async (body, cost) => {
    const user = await h.signup();
    const res = await h.http().post('/api/credits/calculate-cost').set(user.auth).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ cost, creditBalance: 10, sufficient: cost <= 10 });
  });

  it.each([
    { durationMinutes: 0, resolution: '720p' },
    { durationMinutes: 61, resolution: '720p' },
    { durationMinutes: 1, resolution: '4k' },
    { durationMinutes: '3', resolution: '720p' },
    { durationMinutes: 1, resolution: '720p', cost: 1 },
  ])('rejects %j with 400', async (body) => {
    const user = await h.signup();
    const res = await h.http().post('/api/credits/calculate-cost').set(user.auth).send(body);
    expect(res.status).toBe(400);
  });
});

describe('GET /api/credits/video-history', () => {
  it("lists the user's videos only, newest first", async () => {
    const user = await h.signup();
    const other = await h.signup();
    await seedVideo(h, user.id, 1, 'completed');
    await seedVideo(h, other.id, 1);
    const res = await h.http().get('/api/credits/video-history').set(user.auth);
    expect(res.status).toBe(200);
    expect(res.body.videos).toHaveLength(1);
    expect(res.body.videos[0]).toMatchObject({ status: 'completed', creditsUsed: 5 });
    expect(res.body.videos[0].fileUrl).toMatch(/^\/api\/video\/.+\/file\?token=/);
  });
});

describe('authentication on every credits route', () => {
  it.each([
    ['get', '/api/credits/balance'],
    ['get', '/api/credits/packages'],
    ['get', '/api/credits/transactions'],
    ['post', '/api/credits/calculate-cost'],
    ['get', '/api/credits/video-history'],
  ] as const)('%s %s needs a token', async (method, url) => {
    const before = await tableCounts(h);
    const res = await h.http()[method](url);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    expect(await tableCounts(h)).toEqual(before);
  });
});
