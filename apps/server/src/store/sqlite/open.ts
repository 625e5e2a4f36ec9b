import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CREDIT_PACKAGES } from '@app/shared';
import { MIGRATIONS } from './migrations/index.ts';

export type Db = Database.Database;

export type SynchronousMode = 'durable' | 'full' | 'normal';

export interface OpenOptions {
  busyTimeoutMs?: number;
  readonly?: boolean;
  /** `full` unless the operator chose otherwise (SQLITE_SYNCHRONOUS); see below. */
  synchronous?: SynchronousMode;
  /** Test-only crash hook (config.ts honours it only when NODE_ENV=test): see kill-after-commit.ts. */
  testKillAfterLedgerCommits?: number;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  db.pragma('foreign_keys = ON');
  // SQLite's default page cache is 2 MB. A charge touches the hot leaves and inner pages of a
  // dozen indexes; on a database of a year of traffic those no longer fit, and every write
  // read them back from the OS. 64 MB holds them (it fills only as pages are used).
  db.pragma('cache_size = -65536');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // FULL (the default) fsyncs the WAL inside every COMMIT, so an acknowledged charge or
    // webhook survives a power cut or kernel crash; the event loop waits for the disk, once per
    // group commit. NORMAL only fsyncs at checkpoints: it survives a crash of the process, but
    // power loss can drop the last acknowledged commits (a webhook Stripe will not resend, a
    // 202 the user saw). `durable` runs NORMAL and has group commit flush the WAL on another
    // thread before it acknowledges anything (wal-sync.ts): FULL's guarantee with the event
    // loop free during the flush, which only pays where flushes are slow (README, Durability).
    db.pragma(`synchronous = ${(options.synchronous ?? 'full') === 'full' ? 'FULL' : 'NORMAL'}`);
    // Checkpoints normally run in a background thread (checkpointer.ts); this larger
    // auto-checkpoint (about 40 MB) only bounds the WAL if that thread falls behind, and the
    // size limit truncates the file again once a checkpoint has emptied it.
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('journal_size_limit = 67108864');
    // Savepoints (one per member of a group commit) and statements that may abort halfway
    // keep a statement journal of the pages they touch; on disk that is a temp file written
    // for every charge, in memory it costs a few kilobytes.
    db.pragma('temp_store = MEMORY');
  }
  return db;
}

export function migrate(db: Db): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
  );
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }).immediate();
  }
}

/** Idempotent: ids are fixed, so a re-run updates the catalogue instead of duplicating it. */
export function seedPackages(db: Db): void {
  const upsert = db.prepare(`INSERT INTO credit_packages
      (id, name, credits, bonus_credits, price_cents, currency, best_value, active)
    VALUES (@id, @name, @credits, @bonusCredits, @priceCents, @currency, @bestValue, 1)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, credits = excluded.credits,
      bonus_credits = excluded.bonus_credits, price_cents = excluded.price_cents,
      currency = excluded.currency, best_value = excluded.best_value`);
  db.transaction(() => {
    for (const p of CREDIT_PACKAGES) upsert.run({ ...p, bestValue: p.bestValue ? 1 : 0 });
  }).immediate();
}
