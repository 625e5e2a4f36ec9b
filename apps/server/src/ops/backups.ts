import { chmodSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { onlineBackup } from '../store/sqlite/backup.ts';
import type { Db } from '../store/sqlite/open.ts';
import { verifyDatabaseFile } from './verify-database.ts';

const BACKUP_NAME = /^credits-\d{8}T\d{6}(\d{3})?Z\.db$/;

export interface BackupOutcome {
  file: string;
  bytes: number;
  seconds: number;
}

export class BackupVerificationError extends Error {}

/** `credits-20261201T141500123Z.db`: sorts by time, never collides within a millisecond. */
export function backupFileName(at: Date): string {
  return `credits-${at.toISOString().replace(/[-:]/g, '').replace('.', '')}.db`;
}

/**
 * An online backup that only counts once verified: it is written beside its final name,
 * checked (SQLite integrity and every ledger invariant, in a child process), and renamed into
 * place only then. A copy that fails the check is deleted and the error says why.
 */
export async function takeBackup(options: { db: Db; target: string }): Promise<BackupOutcome> {
  const started = Date.now();
  mkdirSync(path.dirname(options.target), { recursive: true, mode: 0o700 });
  const partial = `${options.target}.partial`;
  rmSync(partial, { force: true });
  try {
    await onlineBackup(options.db, partial);
    chmodSync(partial, 0o600);
    const verdict = await verifyDatabaseFile(partial);
    if (!verdict.ok)
      throw new BackupVerificationError(`backup failed verification: ${verdict.report}`);
    renameSync(partial, options.target);
  } finally {
    rmSync(partial, { force: true });
  }
  return {
    file: options.target,
    bytes: statSync(options.target).size,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Verified backups in `dir`, oldest first. */
export function listBackups(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => BACKUP_NAME.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}

/** Deletes all but the newest `keep` backups; returns what it deleted. */
export function pruneBackups(dir: string, keep: number): string[] {
  const all = listBackups(dir);
  const doomed = all.slice(0, Math.max(0, all.length - keep));
  for (const file of doomed) rmSync(file, { force: true });
  return doomed;
}

/**
 * Backups from the server itself every `intervalMinutes`, keeping `retention` of them. One
 * run at a time; a failure is logged at error level (alert on it) and retried next interval.
 */
export function scheduleBackups(options: {
  db: Db;
  dir: string;
  intervalMinutes: number;
  retention: number;
  log: Logger;
  now?: () => Date;
}): () => Promise<void> {
  if (options.intervalMinutes <= 0) return () => Promise.resolve();
  const now = options.now ?? (() => new Date());
  // Nothing can be writing a copy yet: a `.partial` here was left by a process that died.
  removeLeftoverPartials(options.dir);
  let running: Promise<void> | null = null;
  let stopped = false;
  const runOnce = () => {
    if (running || stopped) return;
    running = backupOnce().finally(() => {
      running = null;
    });
  };
  const backupOnce = async () => {
    try {
      const outcome = await takeBackup({
        db: options.db,
        target: path.join(options.dir, backupFileName(now())),
      });
      const pruned = pruneBackups(options.dir, options.retention);
      options.log.info({ ...outcome, pruned: pruned.length }, 'backup verified and kept');
    } catch (err) {
      if (!stopped) options.log.error({ err, alert: true }, 'scheduled backup failed');
    }
  };
  const timer = setInterval(runOnce, options.intervalMinutes * 60_000);
  timer.unref();
  // Stopping waits for a backup in flight, so shutdown never leaves a half-written copy.
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}

function removeLeftoverPartials(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.endsWith('.partial')) rmSync(path.join(dir, name), { force: true });
  }
}
