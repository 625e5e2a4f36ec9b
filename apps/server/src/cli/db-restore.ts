import { chmodSync, copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { invocationPath, loadConfig } from '../config.ts';
import { runningServerPid } from '../ops/pid-file.ts';
import { verifyDatabaseFile } from '../ops/verify-database.ts';

/**
 * `pnpm db:restore <backup-file>`: replaces the database of a STOPPED server with a verified
 * backup. The current database (with its WAL, which belongs to it) is kept beside it as
 * `<db>.before-restore-<time>`; a WAL left next to the restored file would corrupt it.
 */
async function main() {
  const arg = process.argv[2];
  if (!arg) {
    console.error('usage: pnpm db:restore <backup-file>');
    process.exit(2);
  }
  const source = invocationPath(arg);
  const config = loadConfig();
  const pid = runningServerPid(config.dataDir);
  if (pid !== null) {
    console.error(`a server (pid ${pid}) is using ${config.dataDir}: stop it first`);
    process.exit(1);
  }
  if (!existsSync(source)) {
    console.error(`no backup at ${source}`);
    process.exit(2);
  }
  const verdict = await verifyDatabaseFile(source);
  if (!verdict.ok) {
    console.error(`restore REFUSED: ${source} failed verification:\n${verdict.report}`);
    process.exit(1);
  }
  const target = config.databasePath;
  const staging = `${target}.restoring`;
  copyFileSync(source, staging);
  chmodSync(staging, 0o600);
  const aside = `${target}.before-restore-${new Date().toISOString().replace(/[-:.]/g, '')}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(target + suffix)) renameSync(target + suffix, aside + suffix);
  }
  renameSync(staging, target);
  rmSync(`${target}-wal`, { force: true });
  rmSync(`${target}-shm`, { force: true });
  console.log(`restored ${source} -> ${target} (previous database kept as ${aside})`);
}

void main();
