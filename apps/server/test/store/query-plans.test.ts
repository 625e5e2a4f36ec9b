import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Db } from '../../src/store/sqlite/open.ts';
import { sqliteAdapterInternals } from '../../src/store/sqlite/test-data.ts';
import type { PaymentDecision } from '../../src/store/types.ts';

/**
 * Every statement a hot path runs, as the store really runs it (captured from the driver with
 * its parameters), is put through EXPLAIN QUERY PLAN. A full SCAN of a table that grows with
 * the product fails the test: on a database with ten million ledger entries it is seconds per
 * request (or per boot). Scans of a partial index are allowed, since such an index holds only
 * a small hot set (jobs waiting or rendering, requests in progress).
 *
 * A second test checks that unfiltered list pages seek instead of skipping rows: their SQL has
 * no OFFSET and the deep page is the same statement as the first.
 */

const LARGE_TABLES = new Set([
  'users',
  'transactions',
  'video_generations',
  'payments',
  'stripe_events',
  'idempotency_keys',
  'sessions',
]);

interface Captured {
  path: string;
  sql: string;
  args: unknown[];
}

const dir = mkdtempSync(path.join(tmpdir(), 'credit-query-plans-'));
let store: SqliteStore;
let sqliteDb: Db;
let captured: Captured[] = [];
let currentPath = 'setup';

/** Records every statement the store prepares and each set of parameters it runs it with. */
function capture(db: Db) {
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const stmt = prepare(source);
    for (const method of ['run', 'get', 'all', 'iterate'] as const) {
      const original = (stmt[method] as (...a: unknown[]) => unknown).bind(stmt);
      (stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        captured.push({ path: currentPath, sql: source, args });
        return original(...args);
      };
    }
    return stmt;
  }) as typeof db.prepare;
}

async function on<T>(hotPath: string, work: () => Promise<T>): Promise<T> {
  currentPath = hotPath;
  try {
    return await work();
  } finally {
    currentPath = 'setup';
  }
}

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

const credit =
  (credits: number): PaymentDecision =>
  (payment) => ({
    patch: { status: 'succeeded', credited: true, amountReceivedCents: payment.amountCents },
    entries: [
      {
        type: 'purchase',
        amount: credits,
        referenceType: 'payment',
        referenceId: payment.id,
        description: 'Purchase',
      },
    ],
    outcomes: ['credited'],
  });

let heavyUser = '';
const heavyEntries = 600;

beforeAll(async () => {
  store = openSqliteStore(path.join(dir, 'plans.db'));
  // Query plans are SQLite's: this file reads them through the adapter's door on purpose.
  sqliteDb = sqliteAdapterInternals(store).db;
  capture(sqliteDb);
  const pkg = (await store.findPackage({ id: 1 }))!;
  for (let u = 0; u < 20; u++) {
    const id = randomUUID();
    await store.createUser({
      id,
      email: `user${u}@example.com`,
      name: 'U',
      passwordHash: 'x',
      signupBonus: 10,
      now: at(u),
    });
    if (u === 0) heavyUser = id;
    const payment = await store.createPayment({ id: randomUUID(), userId: id, pkg, now: at(u) });
    await store.attachPaymentIntent({
      paymentId: payment.id,
      paymentIntentId: `pi_${u}`,
      now: at(u),
    });
    await store.updatePayment({
      paymentIntentId: `pi_${u}`,
      event: { id: `evt_${u}`, type: 'payment_intent.succeeded' },
      decide: credit(10_000),
      now: at(u),
    });
  }
  // One user with a long history: charges and refunds, so the deep page has rows to skip.
  for (let i = 0; i < heavyEntries / 2; i++) {
    const videoId = randomUUID();
    await store.chargeAndCreateVideo({
      maxQueued: 1_000_000,
      video: {
        id: videoId,
        userId: heavyUser,
        idempotencyKey: null,
        prompt: 'p',
        durationMinutes: 1,
        resolution: '720p',
        customMusic: false,
        premiumTTS: false,
        aiEnhancement: false,
        creditsUsed: 5,
        createdAt: at(100 + i),
      },
    });
    await store.finishVideo({
      id: videoId,
      finish: { status: 'failed', error: 'x' },
      now: at(100 + i),
    });
  }
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function exerciseHotPaths() {
  const now = at(10_000);
  const user = heavyUser;
  await on('login: find the user by email', () =>
    store.findUserByEmail({ email: 'user3@example.com' }),
  );
  await on('login: open a session', () =>
    store.createSession({ id: 'sess-1', userId: user, createdAt: now, expiresAt: at(20_000) }),
  );
  await on('every request: session check', () =>
    store.isSessionActive({ sessionId: 'sess-1', userId: user }),
  );
  await on('balance', () => store.getBalance({ userId: user }));
  await on('transactions: first page', () =>
    store.listTransactions({ userId: user, filter: {}, page: { limit: 20, offset: 0 } }),
  );
  await on('transactions: deep page', () =>
    store.listTransactions({ userId: user, filter: {}, page: { limit: 20, offset: 20 * 25 } }),
  );
  await on('transactions: prompts of the videos on a page', async () => {
    const page = await store.listTransactions({
      userId: user,
      filter: { type: 'usage' },
      page: { limit: 20, offset: 0 },
    });
    await store.videoPrompts({ userId: user, ids: page.rows.map((r) => r.referenceId) });
  });
  await on('transactions: filtered by type', () =>
    store.listTransactions({
      userId: user,
      filter: { type: 'refund' },
      page: { limit: 20, offset: 0 },
    }),
  );
  await on('payments list', () =>
    store.listPayments({ userId: user, page: { limit: 20, offset: 0 } }),
  );
  await on('videos list', () =>
    store.listVideos({ userId: user, filter: {}, page: { limit: 20, offset: 0 } }),
  );
  await on('videos list: deep page', () =>
    store.listVideos({ userId: user, filter: {}, page: { limit: 20, offset: 200 } }),
  );
  await on('videos list by status', () =>
    store.listVideos({
      userId: user,
      filter: { status: 'failed' },
      page: { limit: 20, offset: 0 },
    }),
  );
  await on('idempotency lookup', () =>
    store.beginIdempotentRequest({
      userId: user,
      scope: 'POST /api/payments/create-intent',
      key: 'k1',
      requestHash: 'h',
      now,
      staleBefore: at(9_000),
    }),
  );
  await on('idempotency complete', () =>
    store.completeIdempotentRequest({
      userId: user,
      scope: 'POST /api/payments/create-intent',
      key: 'k1',
      status: 200,
      body: '{}',
      now,
    }),
  );
  const videoId = randomUUID();
  await on("generate's charge", () =>
    store.chargeAndCreateVideo({
      maxQueued: 100,
      idempotency: {
        scope: 'POST /api/video/generate',
        key: 'g1',
        requestHash: 'h',
      },
      video: {
        id: videoId,
        userId: user,
        idempotencyKey: 'g1',
        prompt: 'p',
        durationMinutes: 1,
        resolution: '720p',
        customMusic: false,
        premiumTTS: false,
        aiEnhancement: false,
        creditsUsed: 5,
        createdAt: now,
      },
    }),
  );
  await on('video status', () => store.findVideo({ id: videoId }));
  await on('claim next video', () =>
    store.claimVideo({ owner: 'w1', leaseMs: 30_000, now, maxRunningPerUser: 2 }),
  );
  const lease = { owner: 'w1', attempt: 1 };
  await on('render progress', () =>
    store.renewVideoLease({ id: videoId, lease, leaseMs: 30_000, now, progress: 50 }),
  );
  await on('finish video', () =>
    store.finishVideo({
      id: videoId,
      finish: { status: 'completed', filePath: '/x.mp4' },
      now,
      lease,
    }),
  );
  const pkg = (await store.findPackage({ id: 1 }))!;
  const paymentId = randomUUID();
  await on('create intent', async () => {
    await store.createPayment({ id: paymentId, userId: user, pkg, now });
    await store.attachPaymentIntent({ paymentId, paymentIntentId: 'pi_hot', now });
  });
  await on('webhook: lookup and apply', () =>
    store.updatePayment({
      paymentIntentId: 'pi_hot',
      event: { id: 'evt_hot', type: 'payment_intent.succeeded' },
      decide: credit(100),
      now,
    }),
  );
  await on('webhook: duplicate event', () =>
    store.updatePayment({
      paymentIntentId: 'pi_hot',
      event: { id: 'evt_hot', type: 'payment_intent.succeeded' },
      decide: credit(100),
      now,
    }),
  );
  await on('webhook: unknown payment', () =>
    store.updatePayment({
      paymentIntentId: 'pi_unknown',
      event: { id: 'evt_unknown', type: 'payment_intent.succeeded' },
      decide: credit(100),
      now,
    }),
  );
  await on('webhook: other event types', () =>
    store.recordStripeEvent({ id: 'evt_other', type: 'charge.updated', outcome: 'ignored', now }),
  );
  await on('webhook: find payment by intent', () =>
    store.findPaymentByIntent({ paymentIntentId: 'pi_hot' }),
  );
  await on('reaper: expired video leases', () =>
    store.reapExpiredLeases({ now, maxAttempts: 3, limit: 100 }),
  );
  await on('pruning: idempotency records', () =>
    store.pruneIdempotencyRecords({ createdBefore: at(0), limit: 1000 }),
  );
  await on('pruning: sessions', () => store.pruneSessions({ expiredBefore: at(0), limit: 1000 }));
  await on('pruning: webhook events', () =>
    store.pruneStripeEvents({ receivedBefore: at(0), limit: 1000 }),
  );
  await on('CSV export: a keyset batch', async () => {
    const first = await store.listTransactionsBefore({
      userId: user,
      filter: {},
      batch: { limit: 100 },
    });
    await store.listTransactionsBefore({
      userId: user,
      filter: {},
      batch: { beforeId: first.at(-1)!.id, limit: 100 },
    });
  });
}

function partialIndexes(db: Db): Set<string> {
  const rows = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];
  return new Set(rows.filter((r) => /\bWHERE\b/i.test(r.sql)).map((r) => r.name));
}

/** Table names behind the aliases a statement uses (`FROM video_generations q`). */
function aliases(sql: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of sql.matchAll(/\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    const table = m[1]!;
    map.set(table, table);
    const alias = m[2];
    if (alias && !/^(WHERE|SET|ON|JOIN|LEFT|INNER|ORDER|GROUP|LIMIT|VALUES|USING)$/i.test(alias)) {
      map.set(alias, table);
    }
  }
  return map;
}

function fullScans(db: Db, c: Captured, partial: Set<string>): string[] {
  let plan: { detail: string }[];
  try {
    plan = db.prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...c.args) as { detail: string }[];
  } catch {
    return []; // SAVEPOINT, RELEASE and other statements without a plan
  }
  const names = aliases(c.sql);
  return plan
    .map((row) => row.detail)
    .filter((detail) => {
      const m = /^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?/.exec(detail);
      if (!m) return false;
      const table = names.get(m[1]!) ?? m[1]!;
      if (!LARGE_TABLES.has(table)) return false;
      return !(m[2] && partial.has(m[2]));
    });
}

describe('query plans of the hot paths', () => {
  it('never fully scan a table that grows with the product', async () => {
    captured = [];
    await exerciseHotPaths();
    const hot = captured.filter((c) => c.path !== 'setup');
    // Every hot path ran at least one statement: the capture works.
    expect(new Set(hot.map((c) => c.path)).size).toBeGreaterThanOrEqual(25);
    const partial = partialIndexes(sqliteDb);
    const seen = new Set<string>();
    const offenders: string[] = [];
    for (const c of hot) {
      const key = `${c.path}\n${c.sql}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const scan of fullScans(sqliteDb, c, partial)) {
        offenders.push(`${c.path}: ${scan}\n    ${c.sql.replace(/\s+/g, ' ').trim()}`);
      }
    }
    expect(offenders, offenders.join('\n')).toEqual([]);
    // Rows looked up by id must be found by id, not by walking the user's whole history.
    for (const c of hot.filter((h) => /\bid IN \(/.test(h.sql))) {
      const plan = sqliteDb.prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...c.args) as {
        detail: string;
      }[];
      expect(plan.map((p) => p.detail).join('\n'), c.path).toMatch(/\(id=\?\)/);
    }
  });

  it('seek to deep pages of unfiltered lists instead of skipping rows', async () => {
    const run = async (list: () => Promise<unknown>) => {
      captured = [];
      currentPath = 'list';
      await list();
      currentPath = 'setup';
      return captured.map((c) => c.sql);
    };
    for (const [name, first, deep] of [
      [
        'transactions',
        () =>
          store.listTransactions({ userId: heavyUser, filter: {}, page: { limit: 20, offset: 0 } }),
        () =>
          store.listTransactions({
            userId: heavyUser,
            filter: {},
            page: { limit: 20, offset: 500 },
          }),
      ],
      [
        'videos',
        () => store.listVideos({ userId: heavyUser, filter: {}, page: { limit: 20, offset: 0 } }),
        () => store.listVideos({ userId: heavyUser, filter: {}, page: { limit: 20, offset: 200 } }),
      ],
      [
        'payments',
        () => store.listPayments({ userId: heavyUser, page: { limit: 1, offset: 0 } }),
        () => store.listPayments({ userId: heavyUser, page: { limit: 1, offset: 1 } }),
      ],
    ] as const) {
      const firstSql = await run(first);
      const deepSql = await run(deep);
      expect(deepSql, name).toEqual(firstSql);
      for (const sql of deepSql) expect(sql, name).not.toMatch(/\bOFFSET\b|COUNT\(/i);
    }
  });

  it('return the same rows as counting and skipping would', async () => {
    const total = sqliteDb
      .prepare('SELECT COUNT(*) FROM transactions WHERE user_id = ?')
      .pluck()
      .get(heavyUser) as number;
    expect(total).toBeGreaterThan(heavyEntries);
    for (const offset of [0, 20, 500, total - 5, total, total + 40]) {
      const expected = (
        sqliteDb
          .prepare(
            'SELECT id FROM transactions WHERE user_id = ? ORDER BY id DESC LIMIT 20 OFFSET ?',
          )
          .pluck()
          .all(heavyUser, offset) as number[]
      ).map(Number);
      const page = await store.listTransactions({
        userId: heavyUser,
        filter: {},
        page: { limit: 20, offset },
      });
      expect(page.total).toBe(total);
      expect(page.rows.map((r) => r.id)).toEqual(expected);
    }
  });
});
