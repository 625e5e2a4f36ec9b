import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_BATCH_ROWS } from '../../src/services/credits/export-transactions.ts';
import { createHarness, type Harness, type TestUser } from '../helpers/harness.ts';

const ENTRIES = 100_000;
const HEADER =
  'Date,Type,Amount,Balance after,Description,Reference type,Reference ID,Transaction ID';
const START = new Date('2025-01-01T00:00:00Z');
const STEP_MS = 60_000;
// Long enough that the whole export (about 20 MB) is far more than socket buffers hold.
const PADDING = 'x'.repeat(120);
const INJECTIONS: Record<number, string> = {
  10: '=HYPERLINK("http://evil.example","click")',
  11: '+1+cmd|calc',
  12: '-2+3',
  13: '@SUM(A1:A9)',
};

let h: Harness;
let big: TestUser;
let other: TestUser;
let storeReads = 0;

beforeAll(async () => {
  h = await createHarness();
  big = await h.signup();
  other = await h.signup();
  await h.data.appendLedgerEntries({
    userId: big.id,
    count: ENTRIES - 1,
    start: START,
    stepMs: STEP_MS,
    description: (i) => INJECTIONS[i] ?? `Entry ${i}, "quoted" ${PADDING}`,
  });
  await h.data.appendLedgerEntries({ userId: other.id, count: 500, start: START, stepMs: STEP_MS });
  // Counts keyset batches read, to see that a vanished client stops the reads (a spy on
  // the real store: every call still goes through).
  const read = h.store.listTransactionsBefore.bind(h.store);
  h.store.listTransactionsBefore = (...args) => {
    storeReads += 1;
    return read(...args);
  };
}, 120_000);
afterAll(async () => {
  await h.assertInvariants();
  await h.close();
});

function records(csv: string): string[] {
  // Every data row here is one physical line (no embedded line breaks in the fixture).
  expect(csv.endsWith('\r\n')).toBe(true);
  return csv.slice(0, -2).split('\r\n');
}

const exportOf = (user: TestUser, query = '') =>
  h.http().get(`/api/credits/transactions.csv${query}`).set(user.auth).buffer(true);

describe('GET /api/credits/transactions.csv', () => {
  it('streams a 100,000-entry history, newest first, with the web export columns', async () => {
    const res = await exportOf(big);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="transactions-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(res.headers['cache-control']).toMatch(/no-store/);
    const lines = records(res.text);
    expect(lines[0]).toBe(HEADER);
    expect(lines).toHaveLength(ENTRIES + 1);
    const [newest] = (await h.data.rows({
      table: 'transactions',
      where: { user_id: big.id },
      desc: true,
      limit: 1,
    })) as [{ id: number; balance_after: number; created_at: string }];
    const last = ENTRIES - 2;
    expect(lines[1]).toBe(
      `${newest.created_at},refund,2,${newest.balance_after},"Entry ${last}, ""quoted"" ${PADDING}",bulk,${big.id}:${last},${newest.id}`,
    );
    // The oldest entry is the signup bonus.
    expect(lines[ENTRIES]).toMatch(
      new RegExp(`^[^,]+,bonus,\\d+,\\d+,Welcome bonus,signup,${big.id},\\d+$`),
    );
    // The rows are read in bounded batches, never all at once.
    expect(storeReads).toBe(Math.ceil((ENTRIES + 1) / EXPORT_BATCH_ROWS));
  });

  it('neutralises formula-looking text; numbers (negative ones too) stay numbers', async () => {
    const res = await exportOf(
      big,
      `?from=${new Date(START.getTime() + 10 * STEP_MS).toISOString()}&to=${new Date(START.getTime() + 13 * STEP_MS).toISOString()}`,
    );
    const lines = records(res.text);
    expect(lines.slice(1).map((l) => l.split(',').slice(1, 3).join(','))).toEqual([
      'adjustment,-3',
      'bonus,7',
      'adjustment,-4',
      'refund,2',
    ]);
    expect(lines[4]).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",`);
    expect(lines[3]).toContain(`,'+1+cmd|calc,`);
    expect(lines[2]).toContain(`,'-2+3,`);
    expect(lines[1]).toContain(`,'@SUM(A1:A9),`);
  });

  it('applies the filters of the paged list: type, and from/to with a bare date meaning the whole day', async () => {
    const res = await exportOf(big, '?type=refund&from=2025-01-02&to=2025-01-03');
    const lines = records(res.text);
    expect(res.headers['content-disposition']).toMatch(/filename="transactions-refund-/);
    const expected = await h.data.countRows({
      table: 'transactions',
      where: {
        user_id: big.id,
        type: 'refund',
        created_at: { from: '2025-01-02T00:00:00.000Z', to: '2025-01-03T23:59:59.999Z' },
      },
    });
    expect(expected).toBe(720); // two days of one-minute entries, one in four a refund
    expect(lines).toHaveLength(expected + 1);
    expect(lines.slice(1).every((l) => /^2025-01-0[23]T[^,]+,refund,2,/.test(l))).toBe(true);
    // The same filters as the paged list agree on the count.
    const page = await h
      .http()
      .get('/api/credits/transactions?type=refund&from=2025-01-02&to=2025-01-03')
      .set(big.auth);
    expect(page.body.pagination.total).toBe(expected);
  });

  it("never contains another user's rows", async () => {
    const res = await exportOf(other);
    const lines = records(res.text);
    expect(lines).toHaveLength(501 + 1);
    const ownIds = new Set((await h.data.ledgerOf({ userId: other.id })).map((e) => e.id));
    for (const line of lines.slice(1)) {
      expect(ownIds.has(Number(line.slice(line.lastIndexOf(',') + 1)))).toBe(true);
      expect(line).not.toContain(big.id);
    }
  });

  it('refuses invalid filters before streaming anything, with the usual error shape', async () => {
    const res = await exportOf(other, '?from=2025-02-01&to=2025-01-01');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    const bad = await exportOf(other, '?type=gift');
    expect(bad.status).toBe(400);
  });

  it('is 401 without a valid token', async () => {
    const res = await h.http().get('/api/credits/transactions.csv');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    const forged = await h
      .http()
      .get('/api/credits/transactions.csv')
      .set('Authorization', 'Bearer not-a-token');
    expect(forged.status).toBe(401);
  });

  it('stops reading when the client stops reading, and ends when it disconnects', async () => {
    const before = storeReads;
    const url = new URL('/api/credits/transactions.csv', h.baseUrl);
    const req = http.get(url, { headers: big.auth });
    const response = await new Promise<http.IncomingMessage>((resolve) =>
      req.on('response', resolve),
    );
    expect(response.statusCode).toBe(200);
    // Read one chunk, then stop reading: the server must stop too (backpressure).
    await new Promise((resolve) => response.once('data', resolve));
    response.pause();
    const settled = await readsSettle();
    expect(settled - before).toBeLessThan(Math.ceil(ENTRIES / EXPORT_BATCH_ROWS));
    req.destroy();
    const after = await readsSettle();
    // Disconnected: at most the batch already in flight, then nothing more.
    expect(after - settled).toBeLessThanOrEqual(1);
    // And the server is fine: the next request is answered.
    const health = await h.http().get('/healthz');
    expect(health.status).toBe(200);
  });

  it('is rate limited per user (6 exports a minute by default)', async () => {
    const user = await h.signup();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await exportOf(user)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    // Another user is not affected.
    expect((await exportOf(other)).status).toBe(200);
  });
});

/** Waits until the number of batch reads stops changing (counted, not timed: 3 quiet polls). */
async function readsSettle(): Promise<number> {
  let last = -1;
  let quiet = 0;
  while (quiet < 3) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    if (storeReads === last) quiet += 1;
    else {
      quiet = 0;
      last = storeReads;
    }
  }
  return last;
}
