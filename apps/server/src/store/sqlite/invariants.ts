import type { InvariantViolation } from '../types.ts';
import type { Db } from './open.ts';

interface Check {
  invariant: string;
  sql: string;
  describe: (row: Record<string, unknown>) => string;
}

/** Each query returns the rows that break an invariant; an empty result means it holds. */
const CHECKS: Check[] = [
  {
    invariant: 'I1 cached balance equals ledger sum',
    sql: `SELECT u.id, u.credit_balance, COALESCE(SUM(t.amount), 0) AS ledger
          FROM users u LEFT JOIN transactions t ON t.user_id = u.id
          GROUP BY u.id HAVING u.credit_balance <> COALESCE(SUM(t.amount), 0)`,
    describe: (r) => `user ${r.id}: cached ${r.credit_balance}, ledger sum ${r.ledger}`,
  },
  {
    invariant: 'I1 ledger running balance is consistent',
    sql: `SELECT id, user_id, balance_after, running FROM (
            SELECT id, user_id, balance_after,
                   SUM(amount) OVER (PARTITION BY user_id ORDER BY id) AS running
            FROM transactions) WHERE balance_after <> running`,
    describe: (r) =>
      `entry ${r.id} of user ${r.user_id}: balance_after ${r.balance_after}, running ${r.running}`,
  },
  {
    invariant: 'I2 no debit below zero',
    sql: `SELECT id, user_id, type, balance_after FROM transactions
          WHERE balance_after < 0 AND type <> 'clawback' AND amount < 0`,
    describe: (r) =>
      `entry ${r.id} (${r.type}) of user ${r.user_id} left balance ${r.balance_after}`,
  },
  {
    invariant: 'I2 negative balance only after a clawback',
    sql: `SELECT u.id, u.credit_balance FROM users u WHERE u.credit_balance < 0
          AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.user_id = u.id AND t.type = 'clawback')`,
    describe: (r) => `user ${r.id} has balance ${r.credit_balance} without a clawback`,
  },
  {
    invariant: 'I3 ledger is append-only (triggers present)',
    sql: `SELECT name FROM (SELECT 'transactions_no_update' AS name UNION ALL SELECT 'transactions_no_delete')
          WHERE name NOT IN (SELECT name FROM sqlite_master WHERE type = 'trigger')`,
    describe: (r) => `trigger ${r.name} is missing`,
  },
  {
    invariant: 'I4 each video charged once',
    sql: `SELECT v.id, COUNT(t.id) AS n FROM video_generations v
          LEFT JOIN transactions t ON t.reference_type = 'video' AND t.reference_id = v.id AND t.type = 'usage'
          GROUP BY v.id HAVING n <> 1 OR SUM(-t.amount) <> v.credits_used`,
    describe: (r) => `video ${r.id} has ${r.n} usage entries or a wrong amount`,
  },
  {
    invariant: 'I5 each video resolves once',
    sql: `SELECT v.id, v.status, COUNT(t.id) AS refunds, COALESCE(SUM(t.amount), 0) AS refunded,
                 v.credits_used, v.credits_refunded
          FROM video_generations v
          LEFT JOIN transactions t ON t.reference_type = 'video' AND t.reference_id = v.id AND t.type = 'refund'
          GROUP BY v.id
          HAVING (v.status IN ('failed', 'canceled') AND (refunds <> 1 OR refunded <> v.credits_used
                  OR v.credits_refunded <> v.credits_used))
              OR (v.status NOT IN ('failed', 'canceled') AND (refunds <> 0 OR v.credits_refunded <> 0))`,
    describe: (r) =>
      `video ${r.id} is ${r.status} with ${r.refunds} refund entries (${r.refunded} credits)`,
  },
  {
    invariant: 'I6 each credited payment has exactly one purchase of its credits',
    sql: `SELECT p.id, p.credited, p.credits, COUNT(t.id) AS n, COALESCE(SUM(t.amount), 0) AS amount
          FROM payments p
          LEFT JOIN transactions t ON t.reference_type = 'payment' AND t.reference_id = p.id AND t.type = 'purchase'
          GROUP BY p.id
          HAVING (p.credited = 1 AND (n <> 1 OR amount <> p.credits)) OR (p.credited = 0 AND n <> 0)`,
    describe: (r) =>
      `payment ${r.id} (credited=${r.credited}) has ${r.n} purchase entries totalling ${r.amount}`,
  },
  {
    invariant: 'I6 clawbacks match the payment record',
    sql: `SELECT p.id, p.credits_clawed_back,
            COALESCE((SELECT -SUM(amount) FROM transactions t WHERE t.reference_type = 'payment_reversal'
                      AND t.reference_id LIKE p.id || ':%'), 0) AS ledger
          FROM payments p WHERE p.credits_clawed_back <> ledger OR p.credits_clawed_back > p.credits
             OR p.credits_clawed_back < 0`,
    describe: (r) =>
      `payment ${r.id} records ${r.credits_clawed_back} clawed back, ledger says ${r.ledger}`,
  },
  {
    invariant: 'I7 total purchased equals the purchase entries',
    sql: `SELECT u.id, u.total_credits_purchased,
            COALESCE((SELECT SUM(amount) FROM transactions t WHERE t.user_id = u.id AND t.type = 'purchase'), 0) AS purchased
          FROM users u WHERE u.total_credits_purchased <> purchased`,
    describe: (r) =>
      `user ${r.id}: total_credits_purchased ${r.total_credits_purchased}, entries ${r.purchased}`,
  },
  {
    invariant: 'I8 foreign keys hold',
    sql: 'SELECT "table", rowid, parent FROM pragma_foreign_key_check',
    describe: (r) => `${r.table} row ${r.rowid} references a missing ${r.parent}`,
  },
];

export function checkInvariants(db: Db): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') {
    violations.push({ invariant: 'I8 integrity_check', message: String(integrity) });
  }
  // One read transaction gives every check the same snapshot.
  db.transaction(() => {
    for (const check of CHECKS) {
      for (const row of db.prepare(check.sql).all() as Record<string, unknown>[]) {
        violations.push({ invariant: check.invariant, message: check.describe(row) });
      }
    }
  })();
  return violations;
}
