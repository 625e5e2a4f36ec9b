import type { InvariantViolation } from '../types.ts';
import type pg from 'pg';
import { Q } from './sql.ts';

interface Check {
  invariant: string;
  /** Rows that break it; `@userId` is null for the whole database. */
  sql: string;
  describe: (r: Record<string, unknown>) => string;
}

const USER = '(@userId::text IS NULL OR user_id = @userId)';

/**
 * The invariants of sqlite/invariants.ts, as set-based queries in one REPEATABLE READ
 * snapshot. Foreign keys are enforced by PostgreSQL itself; I3 also checks that the role the
 * server runs as cannot change the ledger (no UPDATE, DELETE or TRUNCATE right, not its owner).
 */
const CHECKS: Check[] = [
  {
    invariant: 'I1 cached balance equals ledger sum',
    sql: `SELECT u.id, u.credit_balance, COALESCE(s.total, 0) AS total FROM users u
            LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM transactions WHERE ${USER}
                       GROUP BY user_id) s ON s.user_id = u.id
          WHERE (@userId::text IS NULL OR u.id = @userId) AND u.credit_balance <> COALESCE(s.total, 0)`,
    describe: (r) => `user ${r.id}: cached ${r.credit_balance}, ledger sum ${r.total}`,
  },
  {
    invariant: 'I1 ledger running balance is consistent',
    sql: `SELECT id, user_id, balance_after, running FROM (
            SELECT id, user_id, balance_after,
              SUM(amount) OVER (PARTITION BY user_id ORDER BY id) AS running
            FROM transactions WHERE ${USER}) e WHERE balance_after <> running`,
    describe: (r) =>
      `entry ${r.id} of user ${r.user_id}: balance_after ${r.balance_after}, running ${r.running}`,
  },
  {
    invariant: 'I2 no debit below zero',
    sql: `SELECT id, type, user_id, balance_after FROM transactions
          WHERE ${USER} AND balance_after < 0 AND type <> 'clawback' AND amount < 0`,
    describe: (r) =>
      `entry ${r.id} (${r.type}) of user ${r.user_id} left balance ${r.balance_after}`,
  },
  {
    invariant: 'I2 negative balance only after a clawback',
    sql: `SELECT id, credit_balance FROM users u WHERE (@userId::text IS NULL OR id = @userId)
            AND credit_balance < 0 AND NOT EXISTS (SELECT 1 FROM transactions t
              WHERE t.user_id = u.id AND t.type = 'clawback')`,
    describe: (r) => `user ${r.id} has balance ${r.credit_balance} without a clawback`,
  },
  {
    invariant: 'I3 ledger is append-only (triggers present)',
    sql: `SELECT name FROM unnest(ARRAY['transactions_no_update', 'transactions_no_truncate',
            'admin_audit_log_no_update', 'admin_audit_log_no_truncate']) AS name
          WHERE @userId::text IS NULL AND name NOT IN (SELECT tgname FROM pg_trigger)`,
    describe: (r) => `trigger ${r.name} is missing`,
  },
  {
    invariant: 'I3 the server role cannot change the ledger',
    sql: `SELECT t.name, p.privilege FROM unnest(ARRAY['transactions', 'admin_audit_log']) AS t(name)
            CROSS JOIN unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) AS p(privilege)
          WHERE @userId::text IS NULL AND @strictRoles::int = 1
            AND has_table_privilege(current_user, t.name, p.privilege)`,
    describe: (r) => `the server's role has ${r.privilege} on ${r.name}`,
  },
  {
    invariant: 'I4 each video charged once',
    sql: `SELECT v.id, COUNT(t.id) AS n FROM video_generations v
            LEFT JOIN transactions t ON t.type = 'usage' AND t.reference_type = 'video'
              AND t.reference_id = v.id
          WHERE (@userId::text IS NULL OR v.user_id = @userId)
          GROUP BY v.id, v.credits_used HAVING COUNT(t.id) <> 1 OR -SUM(t.amount) <> v.credits_used`,
    describe: (r) => `video ${r.id} has ${r.n} usage entries or a wrong amount`,
  },
  {
    invariant: 'I5 each video resolves once',
    sql: `SELECT * FROM (
            SELECT v.id, v.status, v.credits_used, v.credits_refunded, v.progress,
              COUNT(t.id) AS refunds, COALESCE(SUM(t.amount), 0) AS refunded
            FROM video_generations v LEFT JOIN transactions t ON t.type = 'refund'
              AND t.reference_type = 'video' AND t.reference_id = v.id
            WHERE (@userId::text IS NULL OR v.user_id = @userId)
            GROUP BY v.id) v
          WHERE (v.status = 'failed' AND (refunds <> 1 OR refunded <> v.credits_used
                  OR v.credits_refunded <> v.credits_used))
             OR (v.status = 'canceled' AND (refunds <> (v.credits_refunded > 0)::int
                  OR refunded <> v.credits_refunded OR v.credits_refunded > v.credits_used
                  OR v.credits_refunded < (v.credits_used * (100 - v.progress) + 99) / 100))
             OR (v.status NOT IN ('failed', 'canceled') AND (refunds <> 0 OR v.credits_refunded <> 0))`,
    describe: (r) =>
      `video ${r.id} is ${r.status} with ${r.refunds} refund entries (${r.refunded} credits)`,
  },
  {
    invariant: 'I6 each credited payment has exactly one purchase of its credits',
    sql: `SELECT * FROM (
            SELECT p.id, p.credited, p.credits, COUNT(t.id) AS n, COALESCE(SUM(t.amount), 0) AS amount
            FROM payments p LEFT JOIN transactions t ON t.type = 'purchase'
              AND t.reference_type = 'payment' AND t.reference_id = p.id
            WHERE (@userId::text IS NULL OR p.user_id = @userId) GROUP BY p.id) p
          WHERE (credited = 1 AND (n <> 1 OR amount <> credits)) OR (credited = 0 AND n <> 0)`,
    describe: (r) =>
      `payment ${r.id} (credited=${r.credited}) has ${r.n} purchase entries totalling ${r.amount}`,
  },
  {
    invariant: 'I6 clawbacks match the payment record',
    // One grouped pass over the reversal entries ("<payment id>:<reason>"), joined to the
    // payments: a per-payment LIKE walked the whole ledger once per payment (192 s of a
    // 200,000-entry verify).
    sql: `SELECT * FROM (
            SELECT p.id, p.credits, p.credits_clawed_back, COALESCE(r.ledger, 0) AS ledger
            FROM payments p
            LEFT JOIN (SELECT split_part(t.reference_id, ':', 1) AS payment_id,
                              -SUM(t.amount) AS ledger
                       FROM transactions t
                       WHERE t.reference_type = 'payment_reversal'
                         AND (@userId::text IS NULL OR t.user_id = @userId)
                       GROUP BY 1) r ON r.payment_id = p.id
            WHERE (@userId::text IS NULL OR p.user_id = @userId)) p
          WHERE credits_clawed_back <> ledger OR credits_clawed_back > credits
             OR credits_clawed_back < 0`,
    describe: (r) =>
      `payment ${r.id} records ${r.credits_clawed_back} clawed back, ledger says ${r.ledger}`,
  },
  {
    invariant: 'I7 total purchased equals the purchase entries',
    sql: `SELECT u.id, u.total_credits_purchased, COALESCE(s.total, 0) AS total FROM users u
            LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM transactions
                       WHERE type = 'purchase' AND ${USER} GROUP BY user_id) s ON s.user_id = u.id
          WHERE (@userId::text IS NULL OR u.id = @userId)
            AND u.total_credits_purchased <> COALESCE(s.total, 0)`,
    describe: (r) =>
      `user ${r.id}: total_credits_purchased ${r.total_credits_purchased}, entries ${r.total}`,
  },
  {
    invariant: 'I9 every console ledger entry has its audit entry',
    sql: `SELECT t.id, t.user_id, t.type, t.amount, t.reference_id FROM transactions t
          WHERE t.reference_type = 'admin' AND (@userId::text IS NULL OR t.user_id = @userId)
            AND NOT EXISTS (SELECT 1 FROM admin_audit_log a WHERE a.id = t.reference_id
              AND a.ledger_entry_id = t.id AND a.amount = t.amount AND a.target_user_id = t.user_id)`,
    describe: (r) =>
      `entry ${r.id} (${r.type} ${r.amount}) of user ${r.user_id} has no audit entry ${r.reference_id}`,
  },
];

export async function checkPgInvariants(
  pool: pg.Pool,
  options: { userId?: string; maxListed?: number; strictRoles?: boolean } = {},
): Promise<InvariantViolation[]> {
  const max = options.maxListed ?? 1000;
  const out: InvariantViolation[] = [];
  // Every check sees the same snapshot: one connection, one read-only transaction.
  const client = await pool.connect();
  const one = new Q(client);
  try {
    await one.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    for (const check of CHECKS) {
      const rows = await one.all(check.sql, {
        userId: options.userId ?? null,
        strictRoles: options.strictRoles === false ? 0 : 1,
      });
      for (const r of rows.slice(0, max)) {
        out.push({ invariant: check.invariant, message: check.describe(r) });
      }
      if (rows.length > max) {
        out.push({
          invariant: check.invariant,
          message: `… and ${rows.length - max} more violations of this invariant`,
        });
      }
    }
    await one.run('COMMIT');
  } catch (err) {
    await one.run('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  return out;
}
