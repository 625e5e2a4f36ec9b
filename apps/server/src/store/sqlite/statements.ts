import type Database from 'better-sqlite3';
import type { Db } from './open.ts';

type Statement = Database.Statement<unknown[], unknown>;

const caches = new WeakMap<Db, Map<string, Statement>>();

/**
 * Compiling SQL is a large part of a short statement's cost, so each distinct SQL text is
 * prepared once per connection and reused. The texts are fixed strings (or built from fixed
 * fragments), so the cache stays small. `pluck` statements are cached apart, since pluck mode
 * is a property of the statement object.
 */
export function statement(db: Db, sql: string, options: { pluck?: boolean } = {}): Statement {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const key = options.pluck ? `pluck\n${sql}` : sql;
  let stmt = cache.get(key);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (options.pluck) stmt.pluck(true);
    cache.set(key, stmt);
  }
  return stmt;
}
