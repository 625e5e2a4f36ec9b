import { existsSync } from 'node:fs';
import { invocationPath, loadConfig } from '../config.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { openDatabase } from '../store/sqlite/open.ts';

/**
 * `pnpm ledger:verify [database-file]`: checks every ledger invariant on a database file and
 * exits non-zero with a readable report on any violation. Opens the file read-only.
 */
async function main() {
  const arg = process.argv[2];
  const file = arg ? invocationPath(arg) : loadConfig().databasePath;
  if (!existsSync(file)) {
    console.error(`No database at ${file}`);
    process.exit(2);
  }
  const store = new SqliteStore(openDatabase(file, { readonly: true }));
  const violations = await store.verifyInvariants();
  await store.close();
  if (violations.length === 0) {
    console.log(`ledger OK: every invariant holds in ${file}`);
    return;
  }
  console.error(`ledger BROKEN: ${violations.length} violation(s) in ${file}`);
  for (const v of violations) console.error(`  [${v.invariant}] ${v.message}`);
  process.exit(1);
}

void main();
