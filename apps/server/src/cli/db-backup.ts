import path from 'node:path';
import { invocationPath, loadConfig } from '../config.ts';
import { backupFileName, pruneBackups, takeBackup } from '../ops/backups.ts';
import { openDatabase } from '../store/sqlite/open.ts';

/**
 * `pnpm db:backup [file]`: an online, consistent, verified backup of the database while the
 * server keeps serving. Without a file it goes to BACKUP_DIR and the oldest beyond
 * BACKUP_RETENTION are deleted. Exit 1 when the copy fails verification (nothing is kept).
 */
async function main() {
  const config = loadConfig();
  const arg = process.argv[2];
  const target = arg
    ? invocationPath(arg)
    : path.join(config.backups.dir, backupFileName(new Date()));
  const db = openDatabase(config.databasePath, { busyTimeoutMs: config.dbBusyTimeoutMs });
  try {
    const outcome = await takeBackup({ db, target });
    console.log(
      `backup OK: ${outcome.file} (${(outcome.bytes / 1e6).toFixed(1)} MB in ${outcome.seconds.toFixed(1)} s, verified)`,
    );
    if (!arg) {
      for (const file of pruneBackups(config.backups.dir, config.backups.retention)) {
        console.log(`deleted old backup ${file}`);
      }
    }
  } catch (err) {
    console.error(`backup FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    db.close();
  }
}

void main();
