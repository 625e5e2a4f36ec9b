import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { LedgerEntry, Store } from '../../../src/store/types.ts';
import { openSqliteStore, type SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { applyEntry as sqliteApply } from '../../../src/store/sqlite/ledger.ts';
import { entryFromRow } from '../../../src/store/sqlite/rows.ts';
import { openPgStore, type PgStore } from '../../../src/store/pg/pg-store.ts';
import { applyEntry as pgApply } from '../../../src/store/pg/ledger.ts';
import { createTestDatabase } from '../../pg/databases.ts';

/**
 * What a contract test needs beside the Store: test data written and read around the
 * domain operations, implemented once per adapter, so no test reaches into a driver.
 */
export interface TestData {
  grantCredits(userId: string, amount: number): Promise<void>;
  countRows(table: string): Promise<number>;
  ledgerOf(userId: string): Promise<LedgerEntry[]>;
  /** Tries to change a ledger entry as the server's own connection; returns the error. */
  tamperLedger(): Promise<unknown>;
}

export interface AdapterUnderTest {
  name: 'sqlite' | 'postgres';
  store: Store;
  data: TestData;
  /** Another store on the same database: a second instance (its own connections). */
  second(): Promise<Store>;
  close(): Promise<void>;
}

const grant = { type: 'adjustment' as const, referenceType: 'test_grant', description: 'fixture' };

async function sqliteAdapter(): Promise<AdapterUnderTest> {
  const dir = mkdtempSync(path.join(tmpdir(), 'credit-contract-'));
  const file = path.join(dir, 'c.db');
  const store = openSqliteStore(file);
  const others: SqliteStore[] = [];
  const db = store.db;
  return {
    name: 'sqlite',
    store,
    data: {
      grantCredits: async (userId, amount) => {
        db.transaction(() =>
          sqliteApply(
            db,
            userId,
            { ...grant, amount, referenceId: randomUUID() },
            new Date().toISOString(),
          ),
        ).immediate();
      },
      countRows: async (table) =>
        db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number,
      ledgerOf: async (userId) =>
        (
          db
            .prepare('SELECT * FROM transactions WHERE user_id = ? ORDER BY id')
            .all(userId) as Record<string, unknown>[]
        ).map(entryFromRow),
      tamperLedger: async () => {
        try {
          db.prepare('UPDATE transactions SET amount = amount + 1').run();
        } catch (err) {
          return err;
        }
        return undefined;
      },
    },
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
  const one = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await store.pool.connect();
    try {
      return await fn(c);
    } finally {
      c.release();
    }
  };
  return {
    name: 'postgres',
    store,
    data: {
      grantCredits: (userId, amount) =>
        store.runner.tx(async (q) => {
          await pgApply(
            q,
            userId,
            { ...grant, amount, referenceId: randomUUID() },
            new Date().toISOString(),
          );
        }),
      countRows: (table) =>
        one(async (c) => Number((await c.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n)),
      ledgerOf: (userId) =>
        one(async (c) =>
          (
            await c.query('SELECT * FROM transactions WHERE user_id = $1 ORDER BY id', [userId])
          ).rows.map((r: Record<string, unknown>) => entryFromRow({ ...r, id: Number(r.id) })),
        ),
      tamperLedger: () =>
        one(async (c) => {
          try {
            await c.query('UPDATE transactions SET amount = amount + 1');
          } catch (err) {
            return err;
          }
          return undefined;
        }),
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
