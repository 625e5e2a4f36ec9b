import { MIGRATIONS } from './migrations/index.ts';
import { openDatabase, type Db } from './open.ts';

/**
 * Every table the migrations create, in an order where each row's references (users,
 * packages, ledger entries, payments, approvals) are copied before it: PostgreSQL checks a
 * foreign key at each INSERT, not at COMMIT.
 */
export const COPY_ORDER = [
  'users',
  'credit_packages',
  'transactions',
  'payments',
  'stripe_events',
  'video_generations',
  'idempotency_keys',
  'sessions',
  'account_tokens',
  'signup_bonus_mailboxes',
  'mail_outbox',
  'admin_approvals',
  'admin_audit_log',
] as const;

/** Bookkeeping of the database itself, not data: never copied. */
const NOT_DATA = new Set(['schema_migrations', 'sqlite_sequence']);

export interface UserLedgerSummary {
  id: string;
  creditBalance: number;
  totalCreditsPurchased: number;
  entries: number;
  sum: number;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * A read-only view of a SQLite database for copying it elsewhere. Everything it reads comes
 * from one read transaction, so the copy and the checks that follow see one snapshot even if
 * a writer slipped in. Tables are read with iterate() in primary-key order, a batch at a time,
 * so memory stays flat however large a table is. While a batch is out, the caller must not
 * read anything else from this snapshot (better-sqlite3 allows one running statement).
 */
export class SqliteRowExport {
  private constructor(private readonly db: Db) {}

  static open(file: string): SqliteRowExport {
    const db = openDatabase(file, { readonly: true });
    db.exec('BEGIN');
    // A deferred transaction takes its snapshot at the first read: take it now.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').pluck().get();
    return new SqliteRowExport(db);
  }

  close(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }

  /** The newest migration applied, and the newest this code knows. */
  schemaVersion(): { applied: number; latest: number } {
    const applied = this.db
      .prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations')
      .pluck()
      .get() as number;
    return { applied, latest: Math.max(...MIGRATIONS.map((m) => m.version)) };
  }

  /** The data tables present in the file. */
  tables(): string[] {
    const names = this.db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    return names.filter((n) => !NOT_DATA.has(n));
  }

  columns(table: string): string[] {
    return (this.db.pragma(`table_info(${quote(table)})`) as Array<{ name: string }>).map(
      (c) => c.name,
    );
  }

  rowCount(table: string): number {
    return this.db
      .prepare(`SELECT COUNT(*) FROM ${quote(table)}`)
      .pluck()
      .get() as number;
  }

  /**
   * The highest id each AUTOINCREMENT table ever handed out. Pruning (mail) deletes rows, so
   * this can exceed MAX(id); the copy continues from it so no id is ever handed out twice.
   */
  idFloors(): Map<string, number> {
    const hasSequence = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
      .get();
    if (!hasSequence) return new Map();
    const rows = this.db.prepare('SELECT name, seq FROM sqlite_sequence').all() as Array<{
      name: string;
      seq: number;
    }>;
    return new Map(rows.map((r) => [r.name, r.seq]));
  }

  /** A table's rows as value arrays in `columns(table)` order, primary-key order, in batches. */
  *batches(table: string, size: number): Generator<unknown[][]> {
    const info = this.db.pragma(`table_info(${quote(table)})`) as Array<{
      name: string;
      pk: number;
    }>;
    const key = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => quote(c.name));
    const columns = info.map((c) => quote(c.name)).join(', ');
    const order = key.length > 0 ? key.join(', ') : 'rowid';
    const rows = this.db
      .prepare(`SELECT ${columns} FROM ${quote(table)} ORDER BY ${order}`)
      .raw(true)
      .iterate() as IterableIterator<unknown[]>;
    yield* inBatches(rows, size);
  }

  ledgerTotals(): { entries: number; sum: number } {
    return this.db
      .prepare('SELECT COUNT(*) AS entries, COALESCE(SUM(amount), 0) AS sum FROM transactions')
      .get() as { entries: number; sum: number };
  }

  /**
   * Each user's cached balance and ledger entries (count, sum), in id order, in batches. The
   * correlated subqueries walk each user's rows through an index led by user_id, so nothing is
   * grouped or sorted in memory.
   */
  *userLedgerSummaries(size: number): Generator<UserLedgerSummary[]> {
    const rows = this.db
      .prepare(
        `SELECT u.id, u.credit_balance AS creditBalance,
           u.total_credits_purchased AS totalCreditsPurchased,
           (SELECT COUNT(*) FROM transactions t WHERE t.user_id = u.id) AS entries,
           (SELECT COALESCE(SUM(t.amount), 0) FROM transactions t WHERE t.user_id = u.id) AS sum
         FROM users u ORDER BY u.id`,
      )
      .iterate() as IterableIterator<UserLedgerSummary>;
    yield* inBatches(rows, size);
  }
}

/** Rows of a streaming query in arrays of `size`, so no table is ever held whole. */
function* inBatches<T>(rows: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
