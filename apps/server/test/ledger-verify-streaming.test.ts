import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decidePayment } from '../src/services/payments/settlement.ts';
import { openDatabase } from '../src/store/sqlite/open.ts';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { sqliteAdapterInternals, sqliteTestData } from '../src/store/sqlite/test-data.ts';
import type { InvariantViolation } from '../src/store/types.ts';
import { seedVideo } from './helpers/ledger-ops.ts';

const run = promisify(execFile);
const cli = path.resolve(import.meta.dirname, '../src/cli/ledger-verify.ts');

async function verifyCli(file: string, ...args: string[]) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', cli, file, ...args]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** Each seeded break, on a user of its own, and the report line that must name it. */
const BREAKS = [
  'cached',
  'running',
  'debit',
  'negative',
  'video-charge',
  'video-refund',
  'purchase',
  'clawback',
  'purchased-total',
  'foreign-key',
] as const;
type Break = (typeof BREAKS)[number];

const EXPECTED: Record<Break, { invariant: string; message: (u: string) => RegExp }> = {
  cached: {
    invariant: 'I1 cached balance equals ledger sum',
    message: (u) => new RegExp(`user ${u}: cached \\d+, ledger sum \\d+`),
  },
  running: {
    invariant: 'I1 ledger running balance is consistent',
    message: (u) => new RegExp(`entry \\d+ of user ${u}: balance_after`),
  },
  debit: {
    invariant: 'I2 no debit below zero',
    message: (u) => new RegExp(`entry \\d+ \\(adjustment\\) of user ${u} left balance -5`),
  },
  negative: {
    invariant: 'I2 negative balance only after a clawback',
    message: (u) => new RegExp(`user ${u} has balance -5 without a clawback`),
  },
  'video-charge': {
    invariant: 'I4 each video charged once',
    message: () => /video .+ has 0 usage entries/,
  },
  'video-refund': {
    invariant: 'I5 each video resolves once',
    message: () => /video .+ is failed with 0 refund entries/,
  },
  purchase: {
    invariant: 'I6 each credited payment has exactly one purchase of its credits',
    message: () => /payment .+ \(credited=1\) has 0 purchase entries/,
  },
  clawback: {
    invariant: 'I6 clawbacks match the payment record',
    message: () => /payment .+ records \d+ clawed back, ledger says \d+/,
  },
  'purchased-total': {
    invariant: 'I7 total purchased equals the purchase entries',
    message: (u) => new RegExp(`user ${u}: total_credits_purchased 99, entries \\d+`),
  },
  'foreign-key': {
    invariant: 'I8 foreign keys hold',
    message: () => /payments row \d+ references a missing credit_packages/,
  },
};

let dir: string;
let file: string;
let store: SqliteStore;
const users = {} as Record<Break | 'healthy', string>;

async function newUser(): Promise<string> {
  const id = randomUUID();
  const user = await store.createUser({
    id,
    email: `${id}@example.com`,
    name: 'Fixture',
    passwordHash: 'x',
    signupBonus: 10,
    now: new Date().toISOString(),
  });
  if (user === 'email_taken') throw new Error('fixture email taken');
  await sqliteTestData(store).appendLedgerEntries({
    userId: id,
    count: 300,
    start: new Date('2025-01-01T00:00:00Z'),
    stepMs: 60_000,
  });
  await seedVideo({ store }, id, 1, 'failed');
  return id;
}

/** A payment settled through the real state machine: credited, then half refunded. */
async function settledPayment(userId: string): Promise<string> {
  const pkg = (await store.listActivePackages())[0]!;
  const now = new Date().toISOString();
  const payment = await store.createPayment({ id: randomUUID(), userId, pkg, now });
  const intent = `pi_${randomUUID()}`;
  await store.attachPaymentIntent({ paymentId: payment.id, paymentIntentId: intent, now });
  await store.updatePayment({
    paymentIntentId: intent,
    decide: decidePayment({
      succeeded: { amountReceived: pkg.priceCents, currency: pkg.currency },
      amountRefundedCents: Math.floor(pkg.priceCents / 2),
    }),
    now,
  });
  return payment.id;
}

/**
 * Test fixture: runs raw SQL with the database's own guards (triggers, checks) lifted. The
 * breaks are written into the SQLite file the CLI reads, so this is adapter-level on purpose.
 */
function unguarded(sql: string, ...params: unknown[]) {
  const { db } = sqliteAdapterInternals(store);
  db.exec('DROP TRIGGER transactions_balance_matches');
  db.pragma('ignore_check_constraints = ON');
  db.pragma('foreign_keys = OFF');
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.pragma('foreign_keys = ON');
    db.pragma('ignore_check_constraints = OFF');
    db.exec(`CREATE TRIGGER transactions_balance_matches BEFORE INSERT ON transactions
      WHEN NEW.balance_after <> (SELECT credit_balance FROM users WHERE id = NEW.user_id)
      BEGIN SELECT RAISE(ABORT, 'ledger balance_after does not match the cached balance'); END`);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ledger-verify-'));
  file = path.join(dir, 'ledger.db');
  store = openSqliteStore(file);
  users.healthy = await newUser();
  await settledPayment(users.healthy);
  for (const b of BREAKS) {
    users[b] = await newUser();
    // The settled payment includes a clawback, which makes a negative balance legitimate.
    if (b !== 'negative') await settledPayment(users[b]);
  }
  const now = new Date().toISOString();
  const { db } = sqliteAdapterInternals(store);
  db.prepare('UPDATE users SET credit_balance = credit_balance + 7 WHERE id = ?').run(users.cached);
  // An entry whose balance_after ignores its own amount.
  unguarded(
    `INSERT INTO transactions (user_id, type, amount, balance_after, reference_type, reference_id,
       description, created_at)
     SELECT id, 'bonus', 5, credit_balance, 'fixture', 'bad-running', 'x', ? FROM users WHERE id = ?`,
    now,
    users.running,
  );
  db.prepare('UPDATE users SET credit_balance = credit_balance + 5 WHERE id = ?').run(
    users.running,
  );
  // A debit that took the account below zero, not by a clawback.
  for (const user of [users.debit, users.negative]) {
    const balance = db
      .prepare('SELECT credit_balance FROM users WHERE id = ?')
      .pluck()
      .get(user) as number;
    db.prepare('UPDATE users SET credit_balance = -5 WHERE id = ?').run(user);
    unguarded(
      `INSERT INTO transactions (user_id, type, amount, balance_after, reference_type, reference_id,
         description, created_at) VALUES (?, 'adjustment', ?, -5, 'fixture', ?, 'x', ?)`,
      user,
      -(balance + 5),
      `overdraw:${user}`,
      now,
    );
  }
  // A video never charged.
  db.prepare(
    `INSERT INTO video_generations (id, user_id, status, prompt, duration_minutes, resolution,
       custom_music, premium_tts, ai_enhancement, credits_used, created_at, updated_at)
     VALUES (?, ?, 'queued', 'free ride', 1, '720p', 0, 0, 0, 10, ?, ?)`,
  ).run(randomUUID(), users['video-charge'], now, now);
  // A charged video marked failed without its refund.
  const unrefunded = await seedVideo({ store }, users['video-refund'], 1);
  db.prepare(
    `UPDATE video_generations SET status = 'failed', credits_refunded = credits_used WHERE id = ?`,
  ).run(unrefunded);
  // A payment marked credited that never credited anything.
  const pkg = (await store.listActivePackages())[0]!;
  const uncredited = await store.createPayment({
    id: randomUUID(),
    userId: users.purchase,
    pkg,
    now,
  });
  db.prepare('UPDATE payments SET credited = 1 WHERE id = ?').run(uncredited.id);
  db.prepare(
    'UPDATE payments SET credits_clawed_back = credits_clawed_back + 3 WHERE user_id = ?',
  ).run(users.clawback);
  db.prepare('UPDATE users SET total_credits_purchased = 99 WHERE id = ?').run(
    users['purchased-total'],
  );
  unguarded('UPDATE payments SET package_id = 999 WHERE user_id = ?', users['foreign-key']);
  await store.close();
  store = openSqliteStore(file);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const invariantsOf = (violations: InvariantViolation[]) =>
  [...new Set(violations.map((v) => v.invariant))].sort();

describe('ledger:verify on a generated ledger with one seeded break per invariant', () => {
  it('the whole-database check (CLI) reports every break, each under its invariant', async () => {
    const result = await verifyCli(file);
    expect(result.code).toBe(1);
    for (const b of BREAKS) {
      const { invariant, message } = EXPECTED[b];
      const line = result.out
        .split('\n')
        .find((l) => l.includes(`[${invariant}]`) && message(users[b]).test(l));
      expect(line, `${b} not reported:\n${result.out}`).toBeDefined();
    }
    // Nothing of the healthy user is reported.
    expect(result.out).not.toContain(users.healthy);
  });

  it.each(BREAKS)('the single-user check finds the %s break, and only it', async (b) => {
    const violations = await store.verifyInvariants({ userId: users[b] });
    expect(violations.length).toBeGreaterThan(0);
    expect(invariantsOf(violations)).toContain(EXPECTED[b].invariant);
    expect(violations.some((v) => EXPECTED[b].message(users[b]).test(v.message))).toBe(true);
    // Another user's break never shows up in this user's report.
    for (const other of BREAKS.filter((o) => o !== b)) {
      expect(violations.map((v) => v.message).join('\n')).not.toContain(users[other]);
    }
  });

  it('--user passes a healthy user and reports a broken one, with the exit code contract', async () => {
    const healthy = await verifyCli(file, '--user', users.healthy);
    expect(healthy.out).toMatch(/ledger OK/);
    expect(healthy.code).toBe(0);
    const broken = await verifyCli(file, '--user', users.cached);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/\[I1 cached balance equals ledger sum\] user .+: cached/);
    const missing = await verifyCli(file, '--user', 'no-such-user');
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/No user no-such-user/);
  });

  it('a missing append-only trigger is reported by both modes', async () => {
    const db = openDatabase(file);
    db.exec('DROP TRIGGER transactions_no_delete');
    db.close();
    const full = await store.verifyInvariants();
    const one = await store.verifyInvariants({ userId: users.healthy });
    for (const violations of [full, one]) {
      expect(violations).toContainEqual({
        invariant: 'I3 ledger is append-only (triggers present)',
        message: 'trigger transactions_no_delete is missing',
      });
    }
  });
});
