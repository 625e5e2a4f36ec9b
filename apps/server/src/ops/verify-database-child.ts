import { openDatabase } from '../store/sqlite/open.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

/** Child of verify-database.ts: exit 0 when the file is intact and its ledger consistent. */
async function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: verify-database-child <file>');
    process.exit(2);
  }
  let store: SqliteStore;
  try {
    store = new SqliteStore(openDatabase(file, { readonly: true }));
  } catch (err) {
    console.error(`cannot open ${file}: ${String(err)}`);
    process.exit(1);
  }
  try {
    const integrity = store.db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') {
      console.error(`integrity_check: ${String(integrity)}`);
      process.exit(1);
    }
    const violations = await store.verifyInvariants();
    if (violations.length > 0) {
      console.error(`${violations.length} ledger invariant violation(s)`);
      for (const v of violations.slice(0, 20)) console.error(`  [${v.invariant}] ${v.message}`);
      process.exit(1);
    }
    console.log('ok: integrity and every ledger invariant hold');
  } catch (err) {
    console.error(`not a valid database: ${String(err)}`);
    process.exit(1);
  } finally {
    await store.close().catch(() => undefined);
  }
}

void main();
