import pg from 'pg';
import type { Config } from '../config.ts';
import { migratePg } from './pg/migrate.ts';
import { openPgStore, type PgStore } from './pg/pg-store.ts';
import { openSqliteStore, type SqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './types.ts';

export type OpenedStore =
  { kind: 'sqlite'; store: SqliteStore } | { kind: 'postgres'; store: PgStore };

/**
 * The configured adapter: PostgreSQL when DATABASE_URL is set (migrated first, as the owner
 * role when DATABASE_OWNER_URL is given, with the server's role granted only what it needs),
 * else the embedded SQLite file.
 */
export async function openConfiguredStore(config: Config): Promise<OpenedStore> {
  const p = config.postgres;
  if (!p) {
    return {
      kind: 'sqlite',
      store: openSqliteStore(config.databasePath, {
        busyTimeoutMs: config.dbBusyTimeoutMs,
        synchronous: config.sqliteSynchronous,
        testKillAfterLedgerCommits: config.testKillAfterLedgerCommits,
      }),
    };
  }
  const store = openPgStore({
    connectionString: p.url,
    max: p.poolMax,
    lockTimeoutMs: p.lockTimeoutMs,
    statementTimeoutMs: p.statementTimeoutMs,
  });
  const appRole = (await store.pool.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
  const owner = new pg.Pool({ connectionString: p.ownerUrl ?? p.url, max: 1 });
  try {
    await migratePg(owner, appRole);
  } finally {
    await owner.end();
  }
  return { kind: 'postgres', store };
}

export const storeOf = (opened: OpenedStore): Store => opened.store;
