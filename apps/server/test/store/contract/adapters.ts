import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Store } from '../../../src/store/types.ts';
import type { TestData } from '../../../src/store/test-data.ts';
import { openSqliteStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { sqliteTestData } from '../../../src/store/sqlite/test-data.ts';
import { openPgStore, type PgStore } from '../../../src/store/pg/pg-store.ts';
import { pgTestData } from '../../../src/store/pg/test-data.ts';
import { createTestDatabase } from '../../pg/databases.ts';

export interface AdapterUnderTest {
  name: 'sqlite' | 'postgres';
  store: Store;
  data: TestData;
  /** Another store on the same database: a second instance (its own connections). */
  second(): Promise<Store>;
  /**
   * PostgreSQL only: the statements `fn` sends through the store's pool (its round trips),
   * observed on the real connections.
   */
  statementsDuring?<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
  close(): Promise<void>;
}

async function sqliteAdapter(): Promise<AdapterUnderTest> {
  const dir = mkdtempSync(path.join(tmpdir(), 'credit-contract-'));
  const file = path.join(dir, 'c.db');
  const store = openSqliteStore(file);
  const others: SqliteStore[] = [];
  return {
    name: 'sqlite',
    store,
    data: sqliteTestData(store),
    second: async () => {
      const s = openSqliteStore(file, { busyTimeoutMs: 10_000 });
      others.push(s);
      return s;
    },
    close: async () => {
      for (const s of others) await s.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresAdapter(): Promise<AdapterUnderTest> {
  const database = await createTestDatabase();
  const store = openPgStore({ connectionString: database.appUrl, max: 8 });
  const others: PgStore[] = [];
  const watched = new WeakSet<pg.PoolClient>();
  let active: string[] | undefined;
  // Every checked-out connection reports its statements while a test is watching.
  store.pool.on('acquire', (client) => {
    if (watched.has(client)) return;
    watched.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const first = args[0] as string | { text?: string } | undefined;
      const text = typeof first === 'string' ? first : first?.text;
      if (active && text !== undefined) active.push(text);
      return query(...args);
    }) as typeof client.query;
  });
  return {
    name: 'postgres',
    store,
    data: pgTestData(store),
    statementsDuring: async (fn) => {
      const seen: string[] = [];
      active = seen;
      try {
        return { result: await fn(), statements: seen };
      } finally {
        active = undefined;
      }
    },
    second: async () => {
      const s = openPgStore({ connectionString: database.appUrl, max: 8 });
      others.push(s);
      return s;
    },
    close: async () => {
      for (const s of others) await s.close();
      await store.close();
      await database.drop();
    },
  };
}

export const ADAPTERS = [
  ['sqlite', sqliteAdapter],
  ['postgres', postgresAdapter],
] as const;
