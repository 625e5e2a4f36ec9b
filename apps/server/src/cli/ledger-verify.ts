import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { invocationPath, loadConfig } from '../config.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { openDatabase } from '../store/sqlite/open.ts';
import { openPgStore } from '../store/pg/pg-store.ts';
import type { InvariantViolation } from '../store/types.ts';

const USAGE = 'usage: pnpm ledger:verify [database-file] [--user <id>] [--quick]';

/**
 * `pnpm ledger:verify [database-file] [--user <id>] [--quick]`: checks every ledger invariant
 * on a database file and exits 1 with a readable report on any violation (2 on bad usage).
 * Opens the file read-only. The whole-database check streams, so its memory stays flat
 * however many entries there are; `--user` checks one user's rows through their indexes
 * (fast on any size), `--quick` runs SQLite's quick_check instead of the full integrity_check.
 */
async function main() {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: { user: { type: 'string' }, quick: { type: 'boolean' } },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const [arg, ...extra] = args.positionals;
  if (extra.length > 0 || args.values.user === '') {
    console.error(USAGE);
    process.exit(2);
  }
  const config = arg ? undefined : loadConfig();
  if (config?.postgres) {
    // PostgreSQL (DATABASE_URL): the same invariants, in one read-only snapshot.
    const store = openPgStore({ connectionString: config.postgres.url, max: 2 });
    report(
      await store.verifyInvariants({ userId: args.values.user }),
      args.values.user === undefined ? 'the PostgreSQL database' : `user ${args.values.user}`,
      Date.now(),
    );
    await store.close();
    return;
  }
  const file = arg ? invocationPath(arg) : config!.databasePath;
  if (!existsSync(file)) {
    console.error(`No database at ${file}`);
    process.exit(2);
  }
  const userId = args.values.user;
  const store = new SqliteStore(openDatabase(file, { readonly: true }));
  if (userId !== undefined && !(await store.findUserById({ id: userId }))) {
    // Rows that name a missing user are reported by the whole-database check (I8).
    await store.close();
    console.error(`No user ${userId} in ${file}`);
    process.exit(2);
  }
  const started = Date.now();
  const violations = await store.verifyInvariants({ userId, quickIntegrity: args.values.quick });
  await store.close();
  report(violations, userId === undefined ? file : `user ${userId} in ${file}`, started);
}

function report(violations: InvariantViolation[], what: string, started: number): void {
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (violations.length === 0) {
    console.log(`ledger OK: every invariant holds for ${what} (${took})`);
    return;
  }
  console.error(`ledger BROKEN: ${violations.length} violation(s) for ${what} (${took})`);
  for (const v of violations) console.error(`  [${v.invariant}] ${v.message}`);
  process.exitCode = 1;
}

void main();
