import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { invocationPath, loadConfig } from '../config.ts';
import { runningServerPid } from '../ops/pid-file.ts';
import {
  balanceTriggerEnabled,
  currentRole,
  openImportPool,
  PgRowImport,
  targetColumns,
  TargetNotEmptyError,
  assertTargetEmpty,
} from '../store/pg/import-rows.ts';
import { migratePg } from '../store/pg/migrate.ts';
import { openPgStore } from '../store/pg/pg-store.ts';
import { COPY_ORDER, SqliteRowExport } from '../store/sqlite/export-rows.ts';
import { openDatabase } from '../store/sqlite/open.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { InvariantViolation } from '../store/types.ts';

const USAGE = 'usage: pnpm db:migrate-to-postgres [sqlite-file]  (target: DATABASE_URL)';
const BATCH = 1000;
/** Differences listed in the report; the rest are counted. */
const MAX_LISTED = 20;

class Refused extends Error {}

/**
 * `pnpm db:migrate-to-postgres [sqlite-file]`: copies a stopped server's SQLite database
 * (default: DATABASE_PATH) into the EMPTY PostgreSQL database named by DATABASE_URL, as the
 * schema owner (DATABASE_OWNER_URL), then checks that both sides agree before and after the
 * COMMIT. Exit 0: copied and verified; 1: refused or a difference (the report says which);
 * 2: bad usage.
 */
async function main() {
  let args;
  try {
    args = parseArgs({ allowPositionals: true, options: {} });
  } catch (err) {
    return usage((err as Error).message);
  }
  if (args.positionals.length > 1) return usage();
  const config = loadConfig();
  if (!config.postgres) {
    return usage('DATABASE_URL (and DATABASE_OWNER_URL) must name the target PostgreSQL database');
  }
  const file = args.positionals[0] ? invocationPath(args.positionals[0]) : config.databasePath;
  if (!existsSync(file)) return usage(`no SQLite database at ${file}`);
  // The copy must be of a database nobody writes any more, or writes after it are lost.
  for (const dir of new Set([config.dataDir, path.dirname(file)])) {
    const pid = runningServerPid(dir);
    if (pid !== null) {
      console.error(`refused: a server (pid ${pid}) is running on ${dir}: stop it first`);
      process.exitCode = 1;
      return;
    }
  }
  const { url, ownerUrl } = config.postgres;
  const app = openImportPool(url);
  const owner = openImportPool(ownerUrl ?? url);
  try {
    const appRole = await currentRole(app);
    const ownerRole = await currentRole(owner);
    // As the server does at start-up: schema as the owner, the server's role granted its part.
    await migratePg(owner, appRole);
    const ok =
      (await copy(file, owner)) && (await verifyAfterCommit(file, url, app, appRole !== ownerRole));
    if (!ok) process.exitCode = 1;
    else console.log(`migration OK: start the servers with DATABASE_URL`);
  } catch (err) {
    if (err instanceof Refused || err instanceof TargetNotEmptyError) {
      console.error(`refused: ${err.message}`);
    } else {
      console.error(`migration FAILED: ${err instanceof Error ? err.stack : String(err)}`);
    }
    process.exitCode = 1;
  } finally {
    await app.end();
    await owner.end();
  }
}

/** Copies every table in one transaction; commits only if counts and balances agree. */
async function copy(file: string, owner: pg.Pool): Promise<boolean> {
  const source = SqliteRowExport.open(file);
  try {
    await checkCompatible(source, owner);
    await assertTargetEmpty(owner, COPY_ORDER);
    const started = Date.now();
    const target = await PgRowImport.begin(owner, COPY_ORDER);
    let committed = false;
    try {
      for (const table of COPY_ORDER) {
        const t0 = Date.now();
        const columns = source.columns(table);
        let rows = 0;
        for (const batch of source.batches(table, BATCH)) {
          await target.insert(table, columns, batch);
          rows += batch.length;
        }
        console.log(`${table}: ${rows} rows in ${seconds(t0)}`);
      }
      const differences = await compare(source, target);
      if (differences.length > 0) {
        console.error(`migration REFUSED: the copy differs from the source (rolled back):`);
        report(differences);
        return false;
      }
      await target.commit(source.idFloors());
      committed = true;
      console.log(`copied and committed in ${seconds(started)}; counts and balances agree`);
      return true;
    } finally {
      if (!committed) await target.rollback();
    }
  } finally {
    source.close();
  }
}

/** Refuses a source this code cannot map completely before anything is written. */
async function checkCompatible(source: SqliteRowExport, owner: pg.Pool): Promise<void> {
  const { applied, latest } = source.schemaVersion();
  if (applied !== latest) {
    throw new Refused(
      `the SQLite database is at schema version ${applied}, this code at ${latest}: ` +
        'start the server on it once (it migrates at start-up), stop it, then run this again',
    );
  }
  const known = new Set<string>(COPY_ORDER);
  const unknown = source.tables().filter((t) => !known.has(t));
  if (unknown.length > 0) throw new Refused(`no PostgreSQL mapping for table(s) ${unknown}`);
  const target = await targetColumns(owner);
  for (const table of COPY_ORDER) {
    const mine = source.columns(table);
    const theirs = target.get(table) ?? [];
    const missing = mine.filter((c) => !theirs.includes(c));
    const extra = theirs.filter((c) => !mine.includes(c));
    if (missing.length > 0 || extra.length > 0) {
      throw new Refused(
        `table ${table} differs: only in SQLite [${missing}], only in PostgreSQL [${extra}]`,
      );
    }
  }
}

/** Row counts per table, the ledger's total, and every user's balance and entries. */
async function compare(source: SqliteRowExport, target: PgRowImport): Promise<string[]> {
  const out: string[] = [];
  for (const table of COPY_ORDER) {
    const [a, b] = [source.rowCount(table), await target.rowCount(table)];
    if (a !== b) out.push(`${table}: ${a} rows in SQLite, ${b} in PostgreSQL`);
  }
  const [la, lb] = [source.ledgerTotals(), await target.ledgerTotals()];
  if (la.entries !== lb.entries || la.sum !== lb.sum) {
    out.push(
      `ledger: ${la.entries} entries summing to ${la.sum} in SQLite, ` +
        `${lb.entries} summing to ${lb.sum} in PostgreSQL`,
    );
  }
  for (const batch of source.userLedgerSummaries(BATCH)) {
    const theirs = await target.userSummaries(batch.map((u) => u.id));
    for (const u of batch) {
      const t = theirs.get(u.id);
      if (!t) out.push(`user ${u.id}: missing in PostgreSQL`);
      else if (
        t.creditBalance !== u.creditBalance ||
        t.totalCreditsPurchased !== u.totalCreditsPurchased ||
        t.entries !== u.entries ||
        t.sum !== u.sum
      ) {
        out.push(
          `user ${u.id}: balance ${u.creditBalance}/${t.creditBalance}, purchased ` +
            `${u.totalCreditsPurchased}/${t.totalCreditsPurchased}, entries ${u.entries}/` +
            `${t.entries}, sum ${u.sum}/${t.sum} (SQLite/PostgreSQL)`,
        );
      }
    }
  }
  return out;
}

/**
 * Every ledger invariant on both sides, PostgreSQL's as the server's role sees it (with the
 * check that it cannot change the ledger when it is not the owner).
 */
async function verifyAfterCommit(
  file: string,
  url: string,
  app: pg.Pool,
  strictRoles: boolean,
): Promise<boolean> {
  let ok = true;
  const t0 = Date.now();
  const sqlite = new SqliteStore(openDatabase(file, { readonly: true }));
  const before = await sqlite.verifyInvariants().finally(() => sqlite.close());
  ok = verdict('SQLite', before, t0) && ok;
  const t1 = Date.now();
  const store = openPgStore({ connectionString: url, max: 2, statementTimeoutMs: 600_000 });
  const after = await store.verifyInvariants({ strictRoles }).finally(() => store.close());
  if (!(await balanceTriggerEnabled(app))) {
    after.push({ invariant: 'ledger trigger', message: 'transactions_balance_matches is off' });
  }
  ok = verdict('PostgreSQL', after, t1) && ok;
  if (!ok) {
    console.error(
      'the copy is committed but failed verification: do not start servers on it; ' +
        'drop and recreate the PostgreSQL database, fix the source, run this again',
    );
  }
  return ok;
}

function verdict(side: string, violations: InvariantViolation[], t0: number): boolean {
  if (violations.length === 0) {
    console.log(`ledger OK on ${side}: every invariant holds (${seconds(t0)})`);
    return true;
  }
  console.error(`ledger BROKEN on ${side}: ${violations.length} violation(s)`);
  report(violations.map((v) => `[${v.invariant}] ${v.message}`));
  return false;
}

function report(lines: string[]): void {
  for (const l of lines.slice(0, MAX_LISTED)) console.error(`  ${l}`);
  if (lines.length > MAX_LISTED) console.error(`  … and ${lines.length - MAX_LISTED} more`);
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function usage(message?: string): void {
  console.error(message ? `${message}\n${USAGE}` : USAGE);
  process.exitCode = 2;
}

void main();
