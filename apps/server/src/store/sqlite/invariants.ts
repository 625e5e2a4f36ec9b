import { TRANSACTION_TYPES } from '@app/shared';
import type { InvariantViolation } from '../types.ts';
import type { Db } from './open.ts';
import { checkAdminAudit } from './admin-invariants.ts';

export interface InvariantOptions {
  /** Check one user's ledger, videos and payments only, through their indexes. */
  userId?: string;
  /** Full mode: `quick_check` instead of `integrity_check` (skips index-content checks). */
  quickIntegrity?: boolean;
  /** Violations listed per invariant; the rest are counted in one closing line. */
  maxListed?: number;
}

interface Check {
  invariant: string;
  /** `${scope}` becomes `1` for the whole database or a `user_id = @userId` filter. */
  sql: (scope: string) => string;
  /** The filter of `scope` for one user; the alias it names must be in the SQL. */
  userScope: string;
  /** Replaced by a whole-database check in full mode. */
  userModeOnly?: boolean;
  describe: (row: Record<string, unknown>) => string;
}

const ANY_TYPE = TRANSACTION_TYPES.map((t) => `'${t}'`).join(', ');

/**
 * Checks over videos and payments. Each returns the rows that break an invariant; an empty
 * result means it holds. The ledger is reached through its unique (type, reference_type,
 * reference_id) index with correlated subqueries instead of a join and GROUP BY, so no query
 * sorts or groups a large table: each streams in the driving table's order.
 */
const CHECKS: Check[] = [
  {
    invariant: 'I3 ledger is append-only (triggers present)',
    sql: () => `SELECT name FROM (SELECT 'transactions_no_update' AS name UNION ALL SELECT 'transactions_no_delete')
          WHERE name NOT IN (SELECT name FROM sqlite_master WHERE type = 'trigger')`,
    userScope: '',
    describe: (r) => `trigger ${r.name} is missing`,
  },
  {
    invariant: 'I4 each video charged once',
    sql: (scope) => `SELECT id, n FROM (
            SELECT v.id, v.credits_used,
              (SELECT COUNT(*) FROM transactions t WHERE t.type = 'usage'
                 AND t.reference_type = 'video' AND t.reference_id = v.id) AS n,
              (SELECT SUM(-t.amount) FROM transactions t WHERE t.type = 'usage'
                 AND t.reference_type = 'video' AND t.reference_id = v.id) AS charged
            FROM video_generations v WHERE ${scope})
          WHERE n <> 1 OR charged <> credits_used`,
    userScope: 'v.user_id = @userId',
    describe: (r) => `video ${r.id} has ${r.n} usage entries or a wrong amount`,
  },
  {
    invariant: 'I5 each video resolves once',
    // A failure refunds everything. A cancel refunds at least the unrendered share at its
    // recorded progress, rounded up (queued videos have progress 0: everything), at most what
    // was paid, in one entry, or none when that share is 0. (Cancels before the policy
    // refunded everything, which these bounds accept.)
    sql: (scope) => `SELECT id, status, refunds, refunded FROM (
            SELECT v.id, v.status, v.credits_used, v.credits_refunded, v.progress,
              (SELECT COUNT(*) FROM transactions t WHERE t.type = 'refund'
                 AND t.reference_type = 'video' AND t.reference_id = v.id) AS refunds,
              (SELECT COALESCE(SUM(t.amount), 0) FROM transactions t WHERE t.type = 'refund'
                 AND t.reference_type = 'video' AND t.reference_id = v.id) AS refunded
            FROM video_generations v WHERE ${scope}) AS v
          WHERE (v.status = 'failed' AND (refunds <> 1 OR refunded <> v.credits_used
                  OR v.credits_refunded <> v.credits_used))
              OR (v.status = 'canceled' AND (refunds <> (v.credits_refunded > 0)
                  OR refunded <> v.credits_refunded OR v.credits_refunded > v.credits_used
                  OR v.credits_refunded < (v.credits_used * (100 - v.progress) + 99) / 100))
              OR (v.status NOT IN ('failed', 'canceled') AND (refunds <> 0 OR v.credits_refunded <> 0))`,
    userScope: 'v.user_id = @userId',
    describe: (r) =>
      `video ${r.id} is ${r.status} with ${r.refunds} refund entries (${r.refunded} credits)`,
  },
  {
    invariant: 'I6 each credited payment has exactly one purchase of its credits',
    sql: (scope) => `SELECT id, credited, n, amount FROM (
            SELECT p.id, p.credited, p.credits,
              (SELECT COUNT(*) FROM transactions t WHERE t.type = 'purchase'
                 AND t.reference_type = 'payment' AND t.reference_id = p.id) AS n,
              (SELECT COALESCE(SUM(t.amount), 0) FROM transactions t WHERE t.type = 'purchase'
                 AND t.reference_type = 'payment' AND t.reference_id = p.id) AS amount
            FROM payments p WHERE ${scope})
          WHERE (credited = 1 AND (n <> 1 OR amount <> credits)) OR (credited = 0 AND n <> 0)`,
    userScope: 'p.user_id = @userId',
    describe: (r) =>
      `payment ${r.id} (credited=${r.credited}) has ${r.n} purchase entries totalling ${r.amount}`,
  },
  {
    invariant: 'I6 clawbacks match the payment record',
    // Reversal references are "<payment id>:<reason>": a range on the reference index finds
    // them (a LIKE with a per-row pattern would scan the whole ledger for every payment).
    sql: (scope) => `SELECT id, credits_clawed_back, ledger FROM (
            SELECT p.id, p.credits_clawed_back, p.credits,
              COALESCE((SELECT -SUM(t.amount) FROM transactions t
                 WHERE t.type IN (${ANY_TYPE}) AND t.reference_type = 'payment_reversal'
                   AND t.reference_id >= p.id || ':' AND t.reference_id < p.id || ';'), 0) AS ledger
            FROM payments p WHERE ${scope})
          WHERE credits_clawed_back <> ledger OR credits_clawed_back > credits
             OR credits_clawed_back < 0`,
    userScope: 'p.user_id = @userId',
    describe: (r) =>
      `payment ${r.id} records ${r.credits_clawed_back} clawed back, ledger says ${r.ledger}`,
  },
  {
    invariant: 'I8 foreign keys hold',
    // One user's rows reference their user (checked by the ledger pass) and, for payments,
    // a package; the whole-database mode runs SQLite's own foreign-key check instead.
    sql: (scope) => `SELECT 'payments' AS "table", p.rowid, 'credit_packages' AS parent
          FROM payments p WHERE ${scope}
            AND NOT EXISTS (SELECT 1 FROM credit_packages c WHERE c.id = p.package_id)`,
    userScope: 'p.user_id = @userId',
    userModeOnly: true,
    describe: (r) => `${r.table} row ${r.rowid} references a missing ${r.parent}`,
  },
];

const INVARIANT = {
  cached: 'I1 cached balance equals ledger sum',
  running: 'I1 ledger running balance is consistent',
  debit: 'I2 no debit below zero',
  negative: 'I2 negative balance only after a clawback',
  purchased: 'I7 total purchased equals the purchase entries',
  foreignKeys: 'I8 foreign keys hold',
};

/** What one user's entries add up to; kept per user, never per entry. */
class UserTotals {
  sum = 0;
  purchased = 0;
  entries = 0;
  clawback = false;
  hasUserRow = false;
}

class Violations {
  readonly listed: InvariantViolation[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxListed: number) {}

  add(invariant: string, message: string) {
    const n = (this.counts.get(invariant) ?? 0) + 1;
    this.counts.set(invariant, n);
    if (n <= this.maxListed) this.listed.push({ invariant, message });
  }

  result(): InvariantViolation[] {
    const more = [...this.counts]
      .filter(([, n]) => n > this.maxListed)
      .map(([invariant, n]) => ({
        invariant,
        message: `… and ${n - this.maxListed} more violations of this invariant`,
      }));
    return [...this.listed, ...more];
  }
}

/**
 * Checks every ledger invariant, streaming: rows are read with `.iterate()` and folded into
 * per-user running sums, so memory grows with the number of users (a few numbers each), not
 * with the number of entries. With `userId`, only that user's rows are read, by index.
 * One read transaction gives every check the same snapshot.
 */
export function checkInvariants(db: Db, options: InvariantOptions = {}): InvariantViolation[] {
  const violations = new Violations(options.maxListed ?? 1000);
  const { userId } = options;
  if (userId === undefined) {
    const pragma = options.quickIntegrity ? 'quick_check' : 'integrity_check';
    const integrity = db.pragma(pragma, { simple: true });
    if (integrity !== 'ok') violations.add('I8 integrity_check', String(integrity));
  }
  db.transaction(() => {
    checkLedger(db, violations, userId);
    const params = userId === undefined ? [] : [{ userId }];
    for (const check of CHECKS) {
      if (check.userModeOnly && userId === undefined) continue;
      const scope = userId === undefined ? '1' : check.userScope;
      const rows = db.prepare(check.sql(scope)).iterate(...params) as Iterable<
        Record<string, unknown>
      >;
      for (const row of rows) violations.add(check.invariant, check.describe(row));
    }
    checkAdminAudit(db, (invariant, message) => violations.add(invariant, message), userId);
    if (userId === undefined) checkForeignKeys(db, violations);
  })();
  return violations.result();
}

/** I1, I2, I7 and the ledger's own foreign key, in one pass over the entries in key order. */
function checkLedger(db: Db, violations: Violations, userId: string | undefined) {
  const totals = new Map<string, UserTotals>();
  const entries = db
    .prepare(
      `SELECT id, user_id, type, amount, balance_after FROM transactions
         ${userId === undefined ? '' : 'WHERE user_id = ?'} ORDER BY id`,
    )
    .raw()
    .iterate(...(userId === undefined ? [] : [userId])) as Iterable<
    [number, string, string, number, number]
  >;
  for (const [id, user, type, amount, balanceAfter] of entries) {
    let t = totals.get(user);
    if (!t) {
      t = new UserTotals();
      totals.set(user, t);
    }
    t.sum += amount;
    t.entries += 1;
    if (type === 'purchase') t.purchased += amount;
    if (type === 'clawback') t.clawback = true;
    if (balanceAfter !== t.sum) {
      violations.add(
        INVARIANT.running,
        `entry ${id} of user ${user}: balance_after ${balanceAfter}, running ${t.sum}`,
      );
    }
    if (balanceAfter < 0 && type !== 'clawback' && amount < 0) {
      violations.add(
        INVARIANT.debit,
        `entry ${id} (${type}) of user ${user} left balance ${balanceAfter}`,
      );
    }
  }

  const users = db
    .prepare(
      `SELECT id, credit_balance, total_credits_purchased FROM users
         ${userId === undefined ? '' : 'WHERE id = ?'}`,
    )
    .raw()
    .iterate(...(userId === undefined ? [] : [userId])) as Iterable<[string, number, number]>;
  for (const [id, cached, totalPurchased] of users) {
    const t = totals.get(id) ?? new UserTotals();
    t.hasUserRow = true;
    if (cached !== t.sum) {
      violations.add(INVARIANT.cached, `user ${id}: cached ${cached}, ledger sum ${t.sum}`);
    }
    if (cached < 0 && !t.clawback) {
      violations.add(INVARIANT.negative, `user ${id} has balance ${cached} without a clawback`);
    }
    if (totalPurchased !== t.purchased) {
      violations.add(
        INVARIANT.purchased,
        `user ${id}: total_credits_purchased ${totalPurchased}, entries ${t.purchased}`,
      );
    }
  }
  for (const [user, t] of totals) {
    if (!t.hasUserRow) {
      violations.add(
        INVARIANT.foreignKeys,
        `transactions: ${t.entries} entries reference a missing users row (${user})`,
      );
    }
  }
}

/** SQLite's check on every table but the ledger, whose user references the pass above checked. */
function checkForeignKeys(db: Db, violations: Violations) {
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'transactions'
         AND name NOT LIKE 'sqlite_%'`,
    )
    .pluck()
    .all() as string[];
  for (const table of tables) {
    const rows = db
      .prepare(
        `SELECT "table", rowid, parent FROM pragma_foreign_key_check(${quotedLiteral(table)})`,
      )
      .iterate() as Iterable<Record<string, unknown>>;
    for (const r of rows) {
      violations.add(
        INVARIANT.foreignKeys,
        `${r.table} row ${r.rowid} references a missing ${r.parent}`,
      );
    }
  }
}

function quotedLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
