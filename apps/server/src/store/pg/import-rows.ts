import type pg from 'pg';
import { createPool } from './pool.ts';

/** PostgreSQL refuses a statement with more bind parameters than this. */
const MAX_PARAMS = 65_535;

/** Filled by migrations, not by people: the copy replaces it and it does not count as data. */
const CATALOGUE = 'credit_packages';

export class TargetNotEmptyError extends Error {
  constructor(readonly counts: Record<string, number>) {
    super(
      `the PostgreSQL database already holds data (${Object.entries(counts)
        .map(([t, n]) => `${t}: ${n} rows`)
        .join(', ')}); the copy only goes into an empty database, it never merges`,
    );
  }
}

export interface TargetUserSummary {
  creditBalance: number;
  totalCreditsPurchased: number;
  entries: number;
  sum: number;
}

/** A pool for the copy: its statements may run long (a batch, a count over a large table). */
export function openImportPool(connectionString: string): pg.Pool {
  return createPool({ connectionString, max: 2, statementTimeoutMs: 600_000 });
}

export async function currentRole(pool: pg.Pool): Promise<string> {
  return (await pool.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
}

/** The columns of each table in the schema, in their order. */
export async function targetColumns(pool: pg.Pool): Promise<Map<string, string[]>> {
  const rows = (
    await pool.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
    )
  ).rows;
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.table_name, [...(out.get(r.table_name) ?? []), r.column_name]);
  return out;
}

/** Tables (other than the package catalogue) that already hold rows, with their counts. */
async function nonEmpty(client: pg.ClientBase, tables: readonly string[]) {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    if (table === CATALOGUE) continue;
    const n = Number(
      (await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${ident(client, table)}`))
        .rows[0]!.n,
    );
    if (n > 0) counts[table] = n;
  }
  return counts;
}

export async function assertTargetEmpty(pool: pg.Pool, tables: readonly string[]): Promise<void> {
  const client = await pool.connect();
  try {
    const counts = await nonEmpty(client, tables);
    if (Object.keys(counts).length > 0) throw new TargetNotEmptyError(counts);
  } finally {
    client.release();
  }
}

const ident = (client: pg.ClientBase, name: string) => client.escapeIdentifier(name);

/**
 * One PostgreSQL transaction that receives a whole database, as the schema owner. Rows keep
 * their ids (identity columns are overridden) and go in with multi-row INSERTs. The tables are
 * locked against writers for the whole copy, and nothing is visible until `commit()`; any
 * failure rolls everything back, leaving the target empty.
 *
 * The ledger's balance trigger is off while the rows go in: it compares each entry with the
 * user's CURRENT cached balance, which a historical entry cannot match. It is switched on
 * again in the same transaction; the checks that follow (running balance of every entry, sum
 * against the cached balance) are what the trigger guarantees, over the whole copy.
 */
export class PgRowImport {
  private finished = false;

  private constructor(
    private readonly client: pg.PoolClient,
    private readonly tables: readonly string[],
  ) {}

  static async begin(pool: pg.Pool, tables: readonly string[]): Promise<PgRowImport> {
    const client = await pool.connect();
    const self = new PgRowImport(client, tables);
    try {
      await client.query('BEGIN');
      const quotedTables = tables.map((t) => ident(client, t)).join(', ');
      await client.query(`LOCK TABLE ${quotedTables} IN EXCLUSIVE MODE`);
      const counts = await nonEmpty(client, tables);
      if (Object.keys(counts).length > 0) throw new TargetNotEmptyError(counts);
      // The migrations seeded today's catalogue; the copy brings the source's, retired
      // packages included (old payments reference them).
      if (tables.includes(CATALOGUE)) await client.query(`DELETE FROM ${CATALOGUE}`);
      await client.query('ALTER TABLE transactions DISABLE TRIGGER transactions_balance_matches');
      return self;
    } catch (err) {
      await self.rollback();
      throw err;
    }
  }

  /** Rows per INSERT for a table of this width (within PostgreSQL's parameter limit). */
  static rowsPerInsert(columns: number, wanted: number): number {
    return Math.max(1, Math.min(wanted, Math.floor(MAX_PARAMS / columns)));
  }

  async insert(table: string, columns: readonly string[], rows: readonly unknown[][]) {
    const width = columns.length;
    const per = PgRowImport.rowsPerInsert(width, rows.length);
    const quotedColumns = columns.map((c) => ident(this.client, c)).join(', ');
    const head = `INSERT INTO ${ident(this.client, table)} (${quotedColumns}) OVERRIDING SYSTEM VALUE VALUES `;
    for (let start = 0; start < rows.length; start += per) {
      const chunk = rows.slice(start, start + per);
      const tuples = chunk.map(
        (_r, i) => `(${columns.map((_c, j) => `$${i * width + j + 1}`).join(', ')})`,
      );
      await this.client.query(head + tuples.join(', '), chunk.flat());
    }
  }

  /**
   * Each identity column continues after the highest id copied, or after `floors` (the
   * source's own high-water mark, which pruned rows may have left above MAX(id)).
   */
  private async advanceIdentities(floors: ReadonlyMap<string, number>) {
    const identities = (
      await this.client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'`,
      )
    ).rows;
    for (const { table_name: table, column_name: column } of identities) {
      const max = Number(
        (
          await this.client.query<{ m: string | null }>(
            `SELECT MAX(${ident(this.client, column)}) AS m FROM ${ident(this.client, table)}`,
          )
        ).rows[0]!.m ?? 0,
      );
      const next = Math.max(max, floors.get(table) ?? 0);
      if (next < 1) continue;
      await this.client.query('SELECT setval(pg_get_serial_sequence($1, $2), $3, true)', [
        table,
        column,
        next,
      ]);
    }
  }

  async rowCount(table: string): Promise<number> {
    return Number(
      (
        await this.client.query<{ n: string }>(
          `SELECT COUNT(*) AS n FROM ${ident(this.client, table)}`,
        )
      ).rows[0]!.n,
    );
  }

  async ledgerTotals(): Promise<{ entries: number; sum: number }> {
    const r = (
      await this.client.query<{ entries: string; sum: string }>(
        'SELECT COUNT(*) AS entries, COALESCE(SUM(amount), 0) AS sum FROM transactions',
      )
    ).rows[0]!;
    return { entries: Number(r.entries), sum: Number(r.sum) };
  }

  /** The same figures as the source's userLedgerSummaries, for the given users. */
  async userSummaries(ids: readonly string[]): Promise<Map<string, TargetUserSummary>> {
    const rows = (
      await this.client.query<{
        id: string;
        credit_balance: number;
        total_credits_purchased: number;
        entries: string;
        sum: string;
      }>(
        `SELECT u.id, u.credit_balance, u.total_credits_purchased,
           COUNT(t.id) AS entries, COALESCE(SUM(t.amount), 0) AS sum
         FROM users u LEFT JOIN transactions t ON t.user_id = u.id
         WHERE u.id = ANY($1) GROUP BY u.id`,
        [ids],
      )
    ).rows;
    return new Map(
      rows.map((r) => [
        r.id,
        {
          creditBalance: r.credit_balance,
          totalCreditsPurchased: r.total_credits_purchased,
          entries: Number(r.entries),
          sum: Number(r.sum),
        },
      ]),
    );
  }

  /**
   * Trigger back on, identities advanced, statistics gathered, then COMMIT. Without ANALYZE
   * the planner sees freshly filled tables as empty until autovacuum gets to them, and the
   * verification and first requests that follow get plans made for empty tables.
   */
  async commit(floors: ReadonlyMap<string, number>): Promise<void> {
    try {
      await this.client.query(
        'ALTER TABLE transactions ENABLE TRIGGER transactions_balance_matches',
      );
      await this.advanceIdentities(floors);
      for (const table of this.tables)
        await this.client.query(`ANALYZE ${ident(this.client, table)}`);
      await this.client.query('COMMIT');
    } catch (err) {
      await this.rollback();
      throw err;
    }
    this.finished = true;
    this.client.release();
  }

  /** Safe to call after commit() or a failed commit(): it then does nothing. */
  async rollback(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    let broken = false;
    await this.client.query('ROLLBACK').catch(() => (broken = true));
    this.client.release(broken);
  }
}

/** Whether the ledger's balance trigger is present and enabled (it is switched off above). */
export async function balanceTriggerEnabled(pool: pg.Pool): Promise<boolean> {
  const r = await pool.query<{ tgenabled: string }>(
    "SELECT tgenabled FROM pg_trigger WHERE tgname = 'transactions_balance_matches'",
  );
  return r.rows[0]?.tgenabled === 'O';
}
